"""Stack Exchange data dumps: a site's folder of ``Users.xml``, ``Posts.xml``,
``Comments.xml`` (…), as published on archive.org.

A site is a public circle (``list_id`` ``stackexchange:<site>``); what kith
makes of its files:

``Users.xml``
    A ``ContactRecord`` per account (``stackexchange:<site>/<id>``, display
    name; website, location and reputation as facts).
``Posts.xml``
    A question → ``message`` from the asker, to nobody (direction ``among``
    unless it is mine); an answer → ``answer`` (a give) from the answerer to
    the asker. ``thread_key`` is the question; an answer's ``refs`` name it.
``Comments.xml``
    ``comment`` from the commenter to the post's owner; ``refs`` the question,
    then the answer commented on.

Left out without a word: tag wikis and other post types that are not
questions or answers; posts and comments of deleted accounts (no user id,
only a name like ``user39``: nobody to relate to); the ``Community`` account
(id -1, a bot that owns wiki posts); ``Badges.xml`` and the rest.

The files are streamed (``defusedxml.ElementTree.iterparse``, each row
cleared once read), so memory stays flat on large dumps except for one small
table: each post's owner and question, two 4-byte integers per post id, kept
to address answers and comments. Dumps list posts by id, so a question comes
before its answers.

``<site>`` is ``-o site=…``, else the folder's name without its
``.stackexchange.com`` / ``stackexchange-`` decoration, dashes read as dots
(``history.meta.stackexchange.com`` and ``stackexchange-history-meta`` are
both ``history.meta``). Mark yourself with ``kith me add
stackexchange:<site>/<your id>``.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from kith.errors import InputError
from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.email_headers import html_to_text
from kith.ingest.fields import BadRecord, clip, iso_time
from kith.model import (
    Channel,
    ContactRecord,
    Fact,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)

SOURCE = "stackexchange"
QUESTION, ANSWER = "1", "2"
#: The site's own bot account.
COMMUNITY_USER = -1
#: Largest post id the owner table grows to (Stack Overflow's are ~80 million).
MAX_POST_ID = 1 << 31
#: Reads one ``<row>``'s attributes into a record, or None to leave it out.
_RowReader = Callable[[Mapping[str, str], Origin], Record | None]
_SITE_JUNK = re.compile(r"(^stackexchange[-_.]|\.stackexchange\.com$|\.com$)")


class StackExchangeImporter(Importer):
    """Reads a Stack Exchange site dump folder (Posts.xml and Users.xml)."""

    name = "stackexchange"
    description = "a Stack Exchange data dump folder (Users.xml, Posts.xml, Comments.xml)"

    def identify(self, path: Path) -> bool:
        if not path.is_dir() or not (path / "Users.xml").is_file():
            return False
        try:
            with (path / "Posts.xml").open("rb") as handle:
                head = handle.read(512)
        except OSError:
            return False
        return b"<posts" in head

    def files(self, path: Path) -> list[Path]:
        return [
            path / n for n in ("Users.xml", "Posts.xml", "Comments.xml") if (path / n).is_file()
        ]

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        site = (options.param("site") or "").strip().lower() or site_of(path)
        if identities.stackexchange(site, "1") is None:
            raise InputError(
                f"not a site name: {site!r}", where=str(path), hint="name it with -o site=…"
            )
        reader = _Reader(site, options)
        yield from _stream(path / "Users.xml", "users", reader.user)
        yield from _stream(path / "Posts.xml", "posts", reader.post)
        if (path / "Comments.xml").is_file():
            yield from _stream(path / "Comments.xml", "comments", reader.comment)


def site_of(folder: Path) -> str:
    """A dump folder's site name: ``stackexchange-history-meta`` → ``history.meta``."""
    name = folder.resolve().name.lower()
    previous = None
    while previous != name:
        previous, name = name, _SITE_JUNK.sub("", name)
    return name.replace("-", ".").replace("_", ".") or "stackexchange"


def _stream(file: Path, root: str, read: _RowReader) -> Iterator[Record]:
    """Each ``<row>`` of one dump file through ``read``; a file that cannot be
    read raises ``InputError`` naming it and the line."""
    where = str(file)
    index = 0
    try:
        parser = iterparse(where, events=("start", "end"))
        _, top = next(parser)
        if top.tag != root:
            raise InputError(
                f"not a Stack Exchange {root} file: its root is <{top.tag}>", where=where
            )
        for event, element in parser:
            if event != "end" or element.tag != "row":
                continue
            origin = Origin(where, index)
            index += 1
            try:
                record = read(element.attrib, origin)
            except BadRecord as bad:
                record = Skipped(origin, bad.reason)
            top.clear()  # the rows read so far: memory stays flat
            if record is not None:
                yield record
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise InputError(
            f"broken XML at line {line}, column {column}: {str(exc).split(':', 1)[0]}",
            where=where,
            hint="the dump may be cut short: unpack it again",
        ) from None
    except LookupError as exc:  # an XML declaration naming an unknown encoding
        raise InputError(f"unreadable XML: {exc}", where=where) from None
    except DefusedXmlException as exc:
        raise InputError(
            f"unsafe XML refused ({type(exc).__name__}): dumps declare no entities", where=where
        ) from None
    except StopIteration:
        raise InputError("empty file", where=where) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where=where) from exc


class _Posts:
    """Per post id: its owner and its question, in two flat integer arrays."""

    def __init__(self) -> None:
        self.owner = array("i")
        self.question = array("i")

    def add(self, post_id: int, owner: int, question: int) -> None:
        if not 0 < post_id < MAX_POST_ID:
            return
        if post_id >= len(self.owner):
            grow = max(post_id + 1, 2 * len(self.owner)) - len(self.owner)
            self.owner.extend(array("i", bytes(4 * grow)))
            self.question.extend(array("i", bytes(4 * grow)))
        self.owner[post_id] = owner
        self.question[post_id] = question

    def get(self, post_id: int) -> tuple[int, int]:
        """(owner, question) of a post; (0, 0) when unknown."""
        if 0 < post_id < len(self.owner):
            return self.owner[post_id], self.question[post_id]
        return 0, 0


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if value.lstrip("-").isdigit() and len(value) <= 10:
        number = int(value)
        return number if -(1 << 31) < number < (1 << 31) else None
    return None


class _Reader:
    def __init__(self, site: str, options: ImportOptions) -> None:
        self.site = site
        self.options = options
        self.list_id = f"stackexchange:{site}"
        self.posts = _Posts()

    def _who(self, user_id: int | None, name: str | None = None) -> IdentityRef | None:
        if user_id is None or user_id == COMMUNITY_USER or user_id == 0:
            return None
        return identities.stackexchange(self.site, str(user_id), name)

    def _post_id(self, post_id: int) -> str:
        return f"{self.site}/post/{post_id}"

    def user(self, row: Mapping[str, str], origin: Origin) -> Record | None:
        uid = _int(row.get("Id"))
        if uid is None:
            raise BadRecord("a user without an Id")
        if uid == COMMUNITY_USER:
            return None
        name = (row.get("DisplayName") or "").strip() or None
        ref = self._who(uid, name)
        if ref is None:
            raise BadRecord(f"user {uid}: not a usable id")
        facts = [
            Fact(key, value.strip())
            for key, attribute in (
                ("url", "WebsiteUrl"),
                ("location", "Location"),
                ("reputation", "Reputation"),
            )
            if (value := row.get(attribute)) and value.strip()
        ]
        return ContactRecord(
            SOURCE, f"{self.site}/user/{uid}", (ref,), origin, name=name, facts=tuple(facts)
        )

    def post(self, row: Mapping[str, str], origin: Origin) -> Record | None:
        pid = _int(row.get("Id"))
        if pid is None or pid <= 0:
            raise BadRecord("a post without an Id")
        kind = row.get("PostTypeId")
        owner = _int(row.get("OwnerUserId")) or 0
        if kind == QUESTION:
            self.posts.add(pid, owner, pid)
            question, to = pid, None
        elif kind == ANSWER:
            question = _int(row.get("ParentId")) or 0
            if question <= 0:
                raise BadRecord(f"answer {pid} names no question (ParentId)")
            self.posts.add(pid, owner, question)
            to = self._who(self.posts.get(question)[0])
        else:
            return None  # tag wikis, moderator nominations …
        author = self._who(owner)
        if author is None:
            return None  # a deleted account, or the Community bot
        at = self._time(row, f"post {pid}")
        participants = [Participant(Role.FROM, author)]
        if to is not None and to != author:
            participants.append(Participant(Role.TO, to))
        body = None
        if self.options.store_bodies:
            body = clip(html_to_text(row.get("Body") or ""))
        return InteractionRecord(
            SOURCE,
            self._post_id(pid),
            Channel.COMMENT,
            Kind.MESSAGE if kind == QUESTION else Kind.ANSWER,
            at,
            tuple(participants),
            origin,
            subject=(row.get("Title") or "").strip() or None,
            body=body,
            refs=() if kind == QUESTION else (self._post_id(question),),
            list_id=self.list_id,
            list_name=self.site,
            is_reply=kind == ANSWER,
            thread_key=f"{self.site}/q/{question}",
            extra={"visibility": "public"},
        )

    def comment(self, row: Mapping[str, str], origin: Origin) -> Record | None:
        cid = _int(row.get("Id"))
        if cid is None:
            raise BadRecord("a comment without an Id")
        pid = _int(row.get("PostId"))
        if pid is None or pid <= 0:
            raise BadRecord(f"comment {cid} names no post (PostId)")
        author = self._who(_int(row.get("UserId")))
        if author is None:
            return None  # a deleted account, or the Community bot
        at = self._time(row, f"comment {cid}")
        owner, question = self.posts.get(pid)
        participants = [Participant(Role.FROM, author)]
        to = self._who(owner)
        if to is not None and to != author:
            participants.append(Participant(Role.TO, to))
        if question:
            refs = tuple(dict.fromkeys((self._post_id(question), self._post_id(pid))))
        else:
            refs = (self._post_id(pid),)  # a post of a type left out, or unknown
        body = clip(row.get("Text")) if self.options.store_bodies else None
        return InteractionRecord(
            SOURCE,
            f"{self.site}/comment/{cid}",
            Channel.COMMENT,
            Kind.COMMENT,
            at,
            tuple(participants),
            origin,
            body=body,
            refs=refs,
            list_id=self.list_id,
            list_name=self.site,
            is_reply=True,
            thread_key=f"{self.site}/q/{question or pid}",
            extra={"visibility": "public"},
        )

    def _time(self, row: Mapping[str, str], what: str) -> int:
        try:
            return iso_time(row.get("CreationDate"), "CreationDate")
        except BadRecord as bad:
            raise BadRecord(f"{what}: {bad.reason}") from None
