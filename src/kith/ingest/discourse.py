"""Discourse forums: JSON responses of its API, saved to files.

Read: a topic (``/t/<id>.json``: ``post_stream.posts``), the latest posts
(``/posts.json``: ``latest_posts``), one post (``/posts/<id>.json``), and topic
lists (``/latest.json``: ``topic_list``). Each post is one interaction in a
public circle, the community (``list_id`` ``discourse:<host>``):

* ``comment`` from its author (``discourse:<host>/<username>``); ``reply``
  when it answers a post (``reply_to_post_number``);
* to the author of the post it answers, else (a reply to the topic) to the
  topic's first poster, never to the author themself; the topic's first post
  is addressed to nobody (direction ``among`` unless it is mine);
* ``refs``: the topic's first post, then the post answered; ``thread_key``
  the topic; ids ``<host>/t/<topic>/<post_number>``, which a reply can name
  even when the post it answers is not in the file;
* left out without a word: small actions (``post_type`` 3: "closed the
  topic"…) and deleted posts.

A topic list holds no posts: its ``users`` (if the response has them) become
``ContactRecord`` s; otherwise it yields nothing.

Which forum: ``-o host=forum.example.org``; else the response's own links to
itself (``internal`` links, ``/user_avatar/<host>/`` avatars); else plain
``discourse``. Name the community with ``-o community=…`` (default: the
host). Mark your own account with ``kith me add discourse:<host>/<you>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kith.errors import InputError
from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.email_headers import html_to_text
from kith.ingest.fields import (
    BadRecord,
    clip,
    integer,
    iso_time,
    items,
    load_json,
    obj,
    text,
)
from kith.model import (
    Channel,
    ContactRecord,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)

SOURCE = "discourse"
#: Bytes ``identify`` reads.
SNIFF_BYTES = 4096
#: Forum name when neither ``-o host`` nor the response tells it.
DEFAULT_HOST = "discourse"
_SMALL_ACTION = 3
_AVATAR_HOST = re.compile(r"^/user_avatar/([A-Za-z0-9.\-]+)/")


#: A Discourse API response is read whole (JSON); real pages are a few MB.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class DiscourseImporter(Importer):
    """Reads Discourse API responses (topics, posts, topic lists) saved as JSON."""

    name = "discourse"
    description = "Discourse forum API responses saved as .json (topics, posts, topic lists)"

    def identify(self, path: Path) -> bool:
        if not path.is_file() or path.suffix.lower() != ".json":
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError:
            return False
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return False
        if any(m in head for m in (b'"topic_list"', b'"post_stream"', b'"latest_posts"')):
            return True
        return b'"avatar_template"' in head and any(
            m in head for m in (b'"post_number"', b'"fancy_title"', b'"archetype"')
        )

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        try:
            size = path.stat().st_size
            if size > MAX_RESPONSE_BYTES:
                raise InputError(
                    f"a Discourse response of {size / 2**20:,.0f} MiB: over the "
                    f"{MAX_RESPONSE_BYTES // 2**20} MiB a response of its API can be",
                    where=where,
                    hint="import the forum's pages one file each",
                )
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", where=where) from exc
        data = load_json(raw, where, "Discourse response")
        if not isinstance(data, dict):
            raise InputError(_NOT_DISCOURSE, where=where)
        host = (options.param("host") or "").strip().lower() or _own_host(data) or DEFAULT_HOST
        if identities.discourse(host, "x") is None:
            raise InputError(f"not a forum host name: {host!r}", where=where, hint=_HOST_HINT)
        community = options.param("community") or host
        reader = _Reader(where, host, community, options)
        if isinstance(data.get("topic_list"), dict):
            yield from reader.users(data)
        elif isinstance(obj(data, "post_stream"), dict):
            yield from reader.posts(items(obj(data, "post_stream"), "posts"), data)
        elif isinstance(data.get("latest_posts"), list):
            yield from reader.posts(data["latest_posts"], None)
        elif "post_number" in data and "topic_id" in data:
            yield from reader.posts([data], None)
        else:
            raise InputError(_NOT_DISCOURSE, where=where, hint=_HOST_HINT)


_NOT_DISCOURSE = "not a Discourse API response: no post_stream, latest_posts, topic_list or post"
_HOST_HINT = "name the forum with -o host=forum.example.org"


def _own_host(data: Mapping[str, Any]) -> str | None:
    """The forum's host as the response itself tells it: its internal links, or
    avatars served from ``/user_avatar/<host>/``."""
    details = obj(data, "details")
    links = list(items(details, "links"))
    posts = items(obj(data, "post_stream"), "posts") or items(data, "latest_posts")
    for post in [data, *posts]:
        links += items(post, "link_counts")
    for link in links:
        if isinstance(link, dict) and link.get("internal") is True:
            try:
                host = urlsplit(text(link, "url") or "").hostname
            except ValueError:
                host = None
            if host:
                return host.lower()
    users = items(details, "participants") + [
        u for u in (obj(details, "created_by"), obj(details, "last_poster")) if u
    ]
    for who in [data, *posts, *users]:
        match = _AVATAR_HOST.match(text(who, "avatar_template") or "")
        if match:
            return match.group(1).lower()
    return None


class _Reader:
    def __init__(self, where: str, host: str, community: str, options: ImportOptions) -> None:
        self.where = where
        self.host = host
        self.list_id = f"discourse:{host}"
        self.community = community
        self.options = options

    def _who(self, username: str | None, name: str | None = None) -> IdentityRef | None:
        if not username:
            return None
        return identities.discourse(self.host, username, name)

    def users(self, data: Mapping[str, Any]) -> Iterator[Record]:
        for index, user in enumerate(items(data, "users")):
            origin = Origin(self.where, index)
            ref = self._who(text(user, "username"), text(user, "name"))
            if ref is None:
                yield Skipped(origin, "a user without a readable username")
                continue
            yield ContactRecord(
                SOURCE,
                f"{self.host}/u/{ref.value.split('/', 1)[1]}",
                (ref,),
                origin,
                name=ref.display_name,
            )

    def posts(self, posts: list[Any], topic: Mapping[str, Any] | None) -> Iterator[Record]:
        authors: dict[tuple[int, int], IdentityRef] = {}
        for post in posts:
            topic_id, number = integer(post, "topic_id"), integer(post, "post_number")
            ref = self._who(text(post, "username"), text(post, "name"))
            if topic_id is not None and number is not None and ref is not None:
                authors[(topic_id, number)] = ref
        starter = self._who(text(obj(obj(topic, "details"), "created_by"), "username"))
        for index, post in enumerate(posts):
            origin = Origin(self.where, index)
            try:
                record = self._post(post, origin, topic, authors, starter)
            except BadRecord as bad:
                yield Skipped(origin, bad.reason)
                continue
            if record is not None:
                yield record

    def _post(
        self,
        post: object,
        origin: Origin,
        topic: Mapping[str, Any] | None,
        authors: dict[tuple[int, int], IdentityRef],
        starter: IdentityRef | None,
    ) -> InteractionRecord | None:
        if not isinstance(post, dict):
            raise BadRecord("not a post")
        topic_id, number = integer(post, "topic_id"), integer(post, "post_number")
        if topic_id is None or number is None or number < 1:
            raise BadRecord("a post without topic_id or post_number")
        sid = f"{self.host}/t/{topic_id}/{number}"
        if integer(post, "post_type") == _SMALL_ACTION or post.get("deleted_at"):
            return None
        author = self._who(text(post, "username"), text(post, "name"))
        if author is None:
            raise BadRecord(f"post {sid}: no readable username")
        try:
            at = iso_time(text(post, "created_at"), "created_at")
        except BadRecord as bad:
            raise BadRecord(f"post {sid}: {bad.reason}") from None
        answers = integer(post, "reply_to_post_number")
        if answers is not None and not 1 <= answers < number:
            answers = None  # a reply can only answer an earlier post
        same_topic = topic is not None and integer(topic, "id") == topic_id
        first_poster = authors.get((topic_id, 1)) or (starter if same_topic else None)
        to: IdentityRef | None = None
        if answers is not None:
            to = self._who(text(obj(post, "reply_to_user"), "username")) or authors.get(
                (topic_id, answers)
            )
            if to is None and answers == 1:
                to = first_poster
        elif number > 1:
            to = first_poster
        participants = [Participant(Role.FROM, author)]
        if to is not None and to.value != author.value:
            participants.append(Participant(Role.TO, to))
        root = f"{self.host}/t/{topic_id}/1"
        refs: tuple[str, ...] = ()
        if number > 1:
            refs = (
                (root,) if answers in (None, 1) else (root, f"{self.host}/t/{topic_id}/{answers}")
            )
        title = text(post, "topic_title")
        if title is None and same_topic:
            title = text(topic, "title")
        slug = text(post, "topic_slug") or text(topic, "slug") or "-"
        extra = {"visibility": "public"}
        if "." in self.host:
            extra["url"] = f"https://{self.host}/t/{slug}/{topic_id}/{number}"
        post_id = integer(post, "id")
        if post_id is not None:
            extra["post_id"] = str(post_id)
        body = None
        if self.options.store_bodies:
            body = clip(text(post, "raw") or html_to_text(text(post, "cooked") or ""))
        return InteractionRecord(
            SOURCE,
            sid,
            Channel.COMMENT,
            Kind.REPLY if answers is not None else Kind.COMMENT,
            at,
            tuple(participants),
            origin,
            subject=title,
            body=body,
            refs=refs,
            list_id=self.list_id,
            list_name=self.community,
            is_reply=answers is not None,
            thread_key=f"{self.host}/t/{topic_id}",
            extra=extra,
        )
