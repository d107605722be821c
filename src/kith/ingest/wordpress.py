"""WordPress eXtended RSS (WXR): a blog's export from Tools → Export.

The blog is the owner's own, so its comments are people talking to the owner
(or to each other under the owner's posts). What kith makes of the file:

``<wp:author>``
    A ``ContactRecord`` per author (e-mail, display name). ``-o me=<login>``
    (several: ``-o me=ana,ben``) says which of them are the owner: those come
    with ``is_me``, which makes their comments outbound.
``<wp:comment>`` (approved ones)
    ``comment`` on channel ``comment``, from the commenter's e-mail address (a
    commenter without one: their website); to the author of the comment it
    answers (``wp:comment_parent``), else to the post's author. A commenter's
    website is kept as a ``url`` fact on them, not as an identity: anyone may
    type any URL into a comment form, and two people giving their employer's
    site must not become one person. A comment whose e-mail is a site
    author's, or whose ``user_id`` is an author's id, is that author's.
    ``refs`` hold the post, then the comments above it (``<site>/comment/<id>``),
    parent last; ``subject`` is the post's title; ``visibility`` public.
Pingbacks and trackbacks
    ``mention`` from the linking site (its host, as a ``url`` identity).

Left out without a word: comments not approved (``0`` pending, ``spam``,
``trash``): unmoderated, mostly spam, and nobody saw them. A comment with
neither an e-mail address nor a URL cannot be told apart from anyone else's
and is ``Skipped``.

The file is streamed (``defusedxml``: no entity expansion, no external
references), item by item, so a large blog needs little memory. Source
``wordpress``; ``<site>`` is the blog's URL without scheme, or ``-o site=…``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

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

SOURCE = "wordpress"
#: Bytes ``identify`` reads: the WXR namespace is declared after a long comment.
SNIFF_BYTES = 8192
_APPROVED = "1"
_PINGS = frozenset({"pingback", "trackback"})
_SPACES = re.compile(r"\s+")


class WordPressImporter(Importer):
    """Reads a WordPress WXR export file."""

    name = "wordpress"
    description = "a WordPress export (WXR .xml from Tools → Export): the blog's comments"

    def identify(self, path: Path) -> bool:
        if not path.is_file():
            return False
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES)
        except OSError:
            return False
        return b"<rss" in head and b"wordpress.org/export/" in head

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        me = {login.strip() for login in (options.param("me") or "").split(",") if login.strip()}
        reader = _Reader(str(path), options, me)
        try:
            yield from reader.read(path)
        except ParseError as exc:
            line, column = getattr(exc, "position", (0, 0))
            raise InputError(
                f"broken XML at line {line}, column {column}: {_reason(exc)}",
                where=str(path),
                hint="the export may be cut short: export it again from WordPress",
            ) from None
        except LookupError as exc:  # an XML declaration naming an unknown encoding
            raise InputError(f"unreadable XML: {exc}", where=str(path)) from None
        except DefusedXmlException as exc:
            raise InputError(
                f"unsafe XML refused ({type(exc).__name__}): a WordPress export declares "
                "no entities or external references",
                where=str(path),
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot read the file: {exc.strerror or exc}", where=str(path)
            ) from exc


def _reason(exc: ParseError) -> str:
    return str(exc).split(":", 1)[0]


def _local(tag: Any) -> str:
    """An element's name without its namespace (WXR has used several)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(element: Element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            value = (child.text or "").strip()
            return value or None
    return None


@dataclass(slots=True)
class _Author:
    login: str
    ref: IdentityRef | None
    author_id: str | None


@dataclass(slots=True)
class _Post:
    """One post (or page) and its comments: parent ids and authors by comment id."""

    key: str
    title: str | None
    link: str | None
    author: IdentityRef | None
    parents: dict[str, str] = field(default_factory=dict)
    authors: dict[str, IdentityRef | None] = field(default_factory=dict)


@dataclass(slots=True)
class _Reader:
    where: str
    options: ImportOptions
    me: set[str]
    site: str = ""
    authors: dict[str, _Author] = field(default_factory=dict)  # login → author
    described: set[str] = field(default_factory=set)  # commenter cards yielded
    index: int = 0  # comments read, for Origin.position
    checked_me: bool = False

    def read(self, path: Path) -> Iterator[Record]:
        channel: Element | None = None
        # the open elements, outermost first: only the channel's own children are read
        # (and dropped once read, to keep memory flat); anything else is passed over
        open_elements: list[Element] = []
        site = self.options.param("site")
        link: str | None = None
        for event, element in iterparse(str(path), events=("start", "end")):
            if event == "start":
                if len(open_elements) == 1 and channel is None and _local(element.tag) == "channel":
                    channel = element
                open_elements.append(element)
                continue
            open_elements.pop()
            if channel is None or not open_elements or open_elements[-1] is not channel:
                continue
            name = _local(element.tag)
            if name in ("base_blog_url", "link") and not link:
                link = (element.text or "").strip() or None
            elif name == "author":
                yield from self._author(element)
            elif name == "item":
                if not self.site:
                    self.site = _site(site or link)
                self._check_me()
                yield from self._item(element)
            channel.remove(element)
        if channel is None:
            raise InputError("not a WordPress export: no <channel> in the <rss>", where=self.where)
        self._check_me()

    def _check_me(self) -> None:
        if self.checked_me:
            return
        self.checked_me = True
        unknown = sorted(self.me - set(self.authors))
        if unknown:
            known = ", ".join(sorted(self.authors)) or "none"
            raise InputError(
                f"-o me={','.join(unknown)} names no author of this blog",
                where=self.where,
                hint=f"its authors (wp:author_login) are: {known}",
            )

    # -- authors ------------------------------------------------------------------------

    def _author(self, element: Element) -> Iterator[Record]:
        login = _child_text(element, "author_login")
        if login is None:
            yield Skipped(Origin(self.where, self.index), "an author without a login")
            return
        name = _child_text(element, "author_display_name")
        ref = identities.email(_child_text(element, "author_email") or "", name)
        self.authors[login] = _Author(login, ref, _child_text(element, "author_id"))
        if ref is not None:
            yield ContactRecord(
                SOURCE,
                f"author:{ref.value}",
                (ref,),
                Origin(self.where, self.index),
                name=name,
                is_me=login in self.me,
            )

    def _by_author(self, email: IdentityRef | None, user_id: str | None) -> IdentityRef | None:
        """The site author who wrote a comment, if one did."""
        for author in self.authors.values():
            if author.ref is None:
                continue
            if email is not None and author.ref.value == email.value:
                return author.ref
            if user_id and user_id != "0" and author.author_id == user_id:
                return author.ref
        return None

    # -- posts and their comments ------------------------------------------------------

    def _item(self, item: Element) -> Iterator[Record]:
        post_id = _child_text(item, "post_id") or ""
        title = _SPACES.sub(" ", _child_text(item, "title") or "").strip() or None
        creator = _child_text(item, "creator")
        post = _Post(
            key=f"{self.site}/post/{post_id}",
            title=title,
            link=_child_text(item, "link"),
            author=self.authors[creator].ref if creator in self.authors else None,
        )
        elements = [c for c in item if _local(c.tag) == "comment"]
        # Every comment's author first: a reply may come before the comment it answers.
        for element in elements:
            cid = _child_text(element, "comment_id")
            if cid:
                post.parents[cid] = _child_text(element, "comment_parent") or "0"
                post.authors[cid] = self._comment_author(element)
        for element in elements:
            origin = Origin(self.where, self.index)
            self.index += 1
            try:
                yield from self._comment(element, origin, post)
            except BadRecord as bad:
                yield Skipped(origin, bad.reason)

    def _comment_author(self, element: Element) -> IdentityRef | None:
        name = _SPACES.sub(" ", _child_text(element, "comment_author") or "").strip() or None
        site_url = _child_text(element, "comment_author_url")
        if (_child_text(element, "comment_type") or "").lower() in _PINGS:
            return _site_ref(site_url)
        email = identities.email(_child_text(element, "comment_author_email") or "", name)
        author = self._by_author(email, _child_text(element, "comment_user_id")) or email
        if author is None and site_url:
            author = identities.url(site_url, name)
        return author

    def _comment(self, element: Element, origin: Origin, post: _Post) -> Iterator[Record]:
        cid = _child_text(element, "comment_id")
        if cid is None:
            raise BadRecord("a comment without a comment_id")
        if (_child_text(element, "comment_approved") or "") != _APPROVED:
            return  # pending, spam or trash: not shown to anyone
        ping = (_child_text(element, "comment_type") or "").lower() in _PINGS
        author = post.authors.get(cid)
        if author is None:
            raise BadRecord(f"comment {cid} has neither an e-mail address nor a URL")
        raw_time = _child_text(element, "comment_date_gmt")
        if raw_time is None or raw_time.startswith("0000"):
            raw_time = _child_text(element, "comment_date")  # site time: the best there is
        try:
            at = iso_time(raw_time, "comment date")
        except BadRecord as bad:
            raise BadRecord(f"comment {cid}: {bad.reason}") from None
        parent = post.parents.get(cid, "0")
        to = post.authors.get(parent) if parent != "0" else None
        to = to or post.author
        participants = [Participant(Role.FROM, author)]
        if to is not None and to.key != author.key:
            participants.append(Participant(Role.TO, to))
        site_url = _child_text(element, "comment_author_url")
        if not ping and site_url and author.kind == "email" and author.key not in self.described:
            self.described.add(author.key)
            yield ContactRecord(
                SOURCE,
                f"commenter:{author.value}",
                (author,),
                origin,
                name=author.display_name,
                facts=(Fact("url", site_url),),
            )
        extra = {"visibility": "public"}
        if post.link:
            extra["url"] = f"{post.link}#comment-{cid}"
        if ping and site_url:
            extra["source_url"] = site_url
        body = None
        if self.options.store_bodies:
            body = clip(html_to_text(_child_text(element, "comment_content") or ""))
        yield InteractionRecord(
            SOURCE,
            f"{self.site}/comment/{cid}",
            Channel.COMMENT,
            Kind.MENTION if ping else Kind.COMMENT,
            at,
            tuple(participants),
            origin,
            subject=post.title,
            body=body,
            refs=(post.key, *self._ancestors(cid, post.parents)),
            is_reply=parent != "0",
            thread_key=post.key,
            extra=extra,
        )

    def _ancestors(self, cid: str, parents: dict[str, str]) -> list[str]:
        """The comments above ``cid``, oldest first, as source ids."""
        chain: list[str] = []
        seen = {cid}
        current = parents.get(cid, "0")
        while current != "0" and current not in seen:
            seen.add(current)
            chain.append(f"{self.site}/comment/{current}")
            current = parents.get(current, "0")
        return chain[::-1]


def _site(url: str | None) -> str:
    """The blog's key: its URL without scheme (``-o site=`` overrides)."""
    if url:
        normalised = identities.normalise_url(url)
        if normalised:
            return normalised
        bare = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", url.strip().lower()).strip("/")
        if bare:
            return bare  # a host without a dot: localhost
    return "wordpress"


def _site_ref(url: str | None) -> IdentityRef | None:
    """A pingback's sender: the linking site (its host), not the one page."""
    normalised = identities.normalise_url(url or "")
    if normalised is None:
        return None
    return IdentityRef("url", normalised.split("/", 1)[0])
