"""Mastodon exports: the folder, or the ``.zip``, from Preferences → Import and export.

It holds ActivityPub JSON: ``actor.json`` (the owner), ``outbox.json`` (what
the owner posted and boosted), ``likes.json`` and ``bookmarks.json`` (bare
URLs of other people's posts). What kith makes of them:

``actor.json``
    The owner: a ``ContactRecord`` with ``is_me``: ``mastodon:user@host``, the
    accounts it moved from (``alsoKnownAs``), the links on its profile as
    ``url`` identities; the profile page and bio as facts.
``outbox.json`` ``Create`` (a post), first rule that fits:

    1. a reply to someone else → ``reply`` to them, others named as ``cc``;
    2. visibility ``direct`` → ``message`` to those named (Mastodon's DMs);
    3. people named → ``mention`` to each;
    4. otherwise (a plain post, a thread of my own) nobody else is involved:
       left out without a word.
``outbox.json`` ``Announce`` (a boost) → ``share`` to the boosted post's author.
``likes.json``, ``bookmarks.json``
    No time is given, so they cannot be placed among dated interactions.
    Each becomes a fact on the post's author (``liked_by_me: <url>``,
    ``bookmarked_by_me: <url>``) through a ``ContactRecord``, which needs none:
    one card per author, holding all of theirs.

Accounts are named ``user@domain`` as people write them. An ActivityPub
actor URL does not always say that (``https://social.jvns.ca/users/b0rk`` is
``b0rk@jvns.ca``; Firefish uses opaque ids), so the export is read twice:
first every ``Mention`` tag's ``href`` → ``name`` pair is collected, then those
pairs name the authors of replied-to, boosted and liked posts; only where no
pair is known is the account read from the URL (``/users/<name>``,
``/@<name>``). A post whose author cannot be told at all is ``Skipped``.

``visibility`` (from ``to``/``cc``): ``public``, ``unlisted``, ``followers`` or
``direct``; ``refs`` start with the post's ``conversation`` so a thread stays
one thread. Source ``mastodon``, source id the activity id.
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
from kith.ingest.bundle import Bundle, is_zip
from kith.ingest.email_headers import html_to_text
from kith.ingest.fields import BadRecord, clip, iso_time, items, load_json, obj, text
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

SOURCE = "mastodon"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

_HREF = re.compile(r"""href=["']([^"']+)["']""")
#: Actor URL paths that carry the account name: Mastodon/Pleroma/GoToSocial
#: ``/users/<name>``, profile pages ``/@<name>``, Friendica ``/profile/<name>``.
_ACTOR_PATH = re.compile(r"^/(?:users/|@|profile/)([A-Za-z0-9_.\-]{1,64})/?$")
#: Status URLs that carry their author: ``/users/<name>/statuses/<id>``, ``/@<name>/<id>``.
_STATUS_PATH = re.compile(r"^/(?:users/([A-Za-z0-9_.\-]{1,64})/statuses|@([A-Za-z0-9_.\-]{1,64}))/")


class MastodonImporter(Importer):
    """Reads a Mastodon account export (folder or zip)."""

    name = "mastodon"
    description = "a Mastodon account export (folder or .zip with actor.json and outbox.json)"

    def identify(self, path: Path) -> bool:
        if path.is_dir():
            return (path / "outbox.json").is_file() and _looks_like_actor(path / "actor.json")
        if is_zip(path):
            try:
                with Bundle(path) as bundle:
                    return (
                        bundle.find("outbox.json") is not None
                        and bundle.find("actor.json") is not None
                    )
            except InputError:
                return False
        return False

    def files(self, path: Path) -> list[Path]:
        try:
            with Bundle(path) as bundle:
                names = ("actor.json", "outbox.json", "likes.json", "bookmarks.json")
                return bundle.files([m for n in names if (m := bundle.find(n))])
        except InputError:
            return [path]

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        with Bundle(path) as bundle:
            actor_member = bundle.find("actor.json")
            outbox_member = bundle.find("outbox.json")
            if actor_member is None or outbox_member is None:
                raise InputError(
                    "not a Mastodon export: actor.json or outbox.json is missing",
                    where=str(path),
                    hint="give the unpacked export folder or its .zip",
                )
            reader = _Reader(options)
            actor_where = bundle.where(actor_member)
            actor = load_json(bundle.read(actor_member), actor_where, "actor.json")
            yield reader.owner(actor, Origin(actor_where, 0))
            outbox_where = bundle.where(outbox_member)
            outbox = load_json(bundle.read(outbox_member), outbox_where, "outbox.json")
            if not isinstance(outbox, dict) or not isinstance(outbox.get("orderedItems"), list):
                raise InputError(
                    "not an ActivityPub outbox: no orderedItems list", where=outbox_where
                )
            activities: list[Any] = outbox["orderedItems"]
            reader.learn(activities)
            for index, activity in enumerate(activities):
                origin = Origin(outbox_where, index)
                try:
                    yield from reader.activity(activity, origin)
                except BadRecord as bad:
                    yield Skipped(origin, bad.reason)
            for name, key in (
                ("likes.json", "liked_by_me"),
                ("bookmarks.json", "bookmarked_by_me"),
            ):
                member = bundle.find(name)
                if member is not None:
                    where = bundle.where(member)
                    collection = load_json(bundle.read(member), where, name)
                    yield from reader.marks(collection, key, where)
            yield from reader.marked_cards()


def _looks_like_actor(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and b"activitystreams" in head


class _Reader:
    """Reads one export; knows the owner and how to name other accounts."""

    def __init__(self, options: ImportOptions) -> None:
        self.options = options
        self.me_actor = ""
        self.me_ref = IdentityRef("mastodon", "unknown@unknown.invalid")
        self.accounts: dict[str, str] = {}  # actor URL → user@domain, from Mention tags
        self.authors: dict[str, str] = {}  # status URL → actor URL, from boosts and replies
        self.marked: dict[str, tuple[Origin, list[Fact]]] = {}  # account → liked/bookmarked

    # -- the owner ----------------------------------------------------------------

    def owner(self, actor: object, origin: Origin) -> ContactRecord:
        actor_id = text(actor, "id")
        user = text(actor, "preferredUsername")
        host = _host(actor_id)
        account = identities.mastodon(f"{user}@{host}") if user and host else None
        if actor_id is None or account is None:
            raise InputError(
                "actor.json does not name the account (no id or preferredUsername)",
                where=origin.file,
                hint="export the account again from Mastodon",
            )
        name = text(actor, "name")
        self.me_actor = actor_id.rstrip("/")
        self.me_ref = IdentityRef("mastodon", account.value, name)
        ids: list[IdentityRef] = [self.me_ref]
        for previous in _strings(actor.get("alsoKnownAs") if isinstance(actor, dict) else None):
            old = _account_from_actor(previous)
            if old:
                ids.append(IdentityRef("mastodon", old, name))
        facts: list[Fact] = []
        profile = text(actor, "url")
        if profile:
            facts.append(Fact("url", profile))
        for field_ in items(actor, "attachment"):
            for href in _HREF.findall(text(field_, "value") or ""):
                site = identities.url(href)
                if site and href.startswith(("http://", "https://")):
                    ids.append(site)
                    facts.append(Fact("website", href))
        bio = html_to_text(text(actor, "summary") or "")
        if bio:
            facts.append(Fact("bio", bio))
        return ContactRecord(
            SOURCE,
            f"actor:{self.me_actor}",
            tuple(dict.fromkeys(ids)),
            origin,
            name=name,
            facts=tuple(dict.fromkeys(facts)),
            is_me=True,
        )

    # -- naming accounts ------------------------------------------------------------

    def learn(self, activities: list[Any]) -> None:
        """First pass: Mention tags (actor URL → account), boosted and replied-to
        posts' authors (status URL → actor URL)."""
        for activity in activities:
            note = obj(activity, "object")
            for tag in items(note, "tag"):
                if text(tag, "type") != "Mention":
                    continue
                href, name = text(tag, "href"), text(tag, "name")
                if href and name:
                    account = _account_from_mention(name, href)
                    if account:
                        self.accounts.setdefault(href.rstrip("/"), account)
            if text(activity, "type") == "Announce":
                url = text(activity, "object") or text(note, "id")
                actor = self._boosted_actor(activity)
                if url and actor:
                    self.authors.setdefault(url, actor)
            parent = text(note, "inReplyTo")
            if parent and _actor_of_status(parent) is None:
                first = next(
                    (
                        href
                        for tag in items(note, "tag")
                        if text(tag, "type") == "Mention" and (href := text(tag, "href"))
                    ),
                    None,
                )
                if first:  # a reply starts by naming whom it answers
                    self.authors.setdefault(parent, first)

    def account(self, actor_url: str) -> IdentityRef | None:
        """The account behind an actor URL: from a Mention seen, else from the URL."""
        actor_url = actor_url.rstrip("/")
        if actor_url == self.me_actor:
            return self.me_ref
        value = self.accounts.get(actor_url) or _account_from_actor(actor_url)
        return IdentityRef("mastodon", value) if value else None

    def author(self, status_url: str) -> IdentityRef | None:
        """The account that wrote the post at ``status_url``, if it can be told."""
        if status_url.startswith(self.me_actor + "/"):
            return self.me_ref
        actor = self.authors.get(status_url) or _actor_of_status(status_url)
        return self.account(actor) if actor else None

    def _boosted_actor(self, activity: object) -> str | None:
        """A boost names its post's author in ``cc`` (besides my followers)."""
        note = obj(activity, "object")
        attributed = text(note, "attributedTo")
        if attributed:
            return attributed
        others = [
            a
            for a in _strings(_get(activity, "cc")) + _strings(_get(activity, "to"))
            if a != PUBLIC and not a.endswith("/followers") and a.rstrip("/") != self.me_actor
        ]
        return others[0] if len(others) == 1 else None

    # -- activities -------------------------------------------------------------------

    def activity(self, activity: object, origin: Origin) -> Iterator[Record]:
        kind = text(activity, "type")
        if kind == "Create":
            yield from self._create(activity, origin)
        elif kind == "Announce":
            boost = self._announce(activity, origin)
            if boost is not None:
                yield boost
        elif kind is None:
            raise BadRecord("not an activity: no type")
        # other activity types (Update, Delete, Follow …) are not interactions

    def _create(self, activity: object, origin: Origin) -> Iterator[Record]:
        aid = text(activity, "id")
        if aid is None:
            raise BadRecord("an activity without an id")
        note = obj(activity, "object")
        if note is None:
            raise BadRecord(f"{aid}: Create without an object")
        at = _time(activity, note, aid)
        has_audience = isinstance(activity, dict) and ("to" in activity or "cc" in activity)
        visibility = _visibility(activity if has_audience else note)
        named: list[IdentityRef] = []
        for tag in items(note, "tag"):
            href = text(tag, "href")
            if text(tag, "type") == "Mention" and href:
                ref = self.account(href)
                if ref is not None and ref != self.me_ref and ref not in named:
                    named.append(ref)
        parent = text(note, "inReplyTo")
        to: IdentityRef | None = None
        if parent:
            to = self.author(parent)
            if to is None and named:
                to = named[0]  # a reply starts by naming whom it answers
        if parent and to is not None and to.value != self.me_ref.value:
            kind = Kind.REPLY
        elif visibility == "direct" and named:
            kind, to = Kind.MESSAGE, None
        elif named:
            kind, to = Kind.MENTION, None
        else:
            return  # a post of my own, or a thread with nobody else in it
        recipients: list[Participant] = []
        if to is not None:
            recipients.append(Participant(Role.TO, to))
        other_role = Role.CC if kind is Kind.REPLY else Role.TO
        recipients += [
            Participant(other_role, r) for r in named if r.value != getattr(to, "value", None)
        ]
        conversation = text(note, "conversation")
        refs = tuple(dict.fromkeys(r for r in (conversation, parent) if r))
        extra = {"visibility": visibility}
        url = text(note, "url") or text(note, "id")
        if url:
            extra["url"] = url
        body = None
        if self.options.store_bodies:
            body = clip(html_to_text(text(note, "content") or ""))
        yield InteractionRecord(
            SOURCE,
            aid,
            Channel.SOCIAL,
            kind,
            at,
            (Participant(Role.FROM, self.me_ref), *recipients),
            origin,
            subject=text(note, "summary"),
            body=body,
            refs=refs,
            is_reply=parent is not None,
            thread_key=conversation,
            extra=extra,
        )

    def _announce(self, activity: object, origin: Origin) -> Record | None:
        aid = text(activity, "id")
        if aid is None:
            raise BadRecord("an activity without an id")
        note = obj(activity, "object")
        url = text(activity, "object") or text(note, "id")
        if url is None:
            raise BadRecord(f"{aid}: a boost without the boosted post's URL")
        at = _time(activity, None, aid)
        actor = self._boosted_actor(activity) or _actor_of_status(url)
        author = self.account(actor) if actor else None
        if author is None:
            return Skipped(
                origin, f"boost of {url}: whose post it is cannot be told from the export"
            )
        if author.value == self.me_ref.value:
            return None  # a boost of my own post
        return InteractionRecord(
            SOURCE,
            aid,
            Channel.SOCIAL,
            Kind.SHARE,
            at,
            (Participant(Role.FROM, self.me_ref), Participant(Role.TO, author)),
            origin,
            extra={"visibility": _visibility(activity), "url": url},
        )

    # -- likes and bookmarks --------------------------------------------------------

    def marks(self, collection: object, key: str, where: str) -> Iterator[Skipped]:
        """Read one likes/bookmarks collection into ``self.marked``; yields what
        cannot be placed."""
        if not isinstance(collection, dict) or not isinstance(collection.get("orderedItems"), list):
            raise InputError("not an ActivityPub collection: no orderedItems list", where=where)
        for index, url in enumerate(collection["orderedItems"]):
            origin = Origin(where, index)
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                yield Skipped(origin, f"not a post URL: {str(url)[:80]!r}")
                continue
            author = self.author(url)
            if author is None:
                yield Skipped(origin, f"{url}: whose post it is cannot be told from its URL")
                continue
            if author.value == self.me_ref.value:
                continue  # my own post
            if author.value not in self.marked:
                self.marked[author.value] = (origin, [])
            self.marked[author.value][1].append(Fact(key, url))

    def marked_cards(self) -> Iterator[ContactRecord]:
        """One card per author of posts I liked or bookmarked, all the URLs as facts
        (a card per URL would cost the ledger a write each)."""
        for account, (origin, facts) in self.marked.items():
            yield ContactRecord(
                SOURCE,
                f"marked:{account}",
                (IdentityRef("mastodon", account),),
                origin,
                facts=tuple(dict.fromkeys(facts)),
            )


def _get(data: object, key: str) -> object:
    return data.get(key) if isinstance(data, dict) else None


def _strings(value: object) -> list[str]:
    """A JSON string or list of strings as a list (ActivityPub allows either)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _account_from_actor(url: str) -> str | None:
    """``https://host/users/ana`` or ``https://host/@ana`` → ``ana@host``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    match = _ACTOR_PATH.match(parts.path)
    if match is None or not parts.hostname:
        return None
    return identities.normalise_mastodon(f"{match.group(1)}@{parts.hostname}")


def _actor_of_status(url: str) -> str | None:
    """``https://host/users/ana/statuses/1`` → ``https://host/users/ana``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    match = _STATUS_PATH.match(parts.path)
    if match is None or not parts.hostname:
        return None
    user = match.group(1) or match.group(2)
    return f"{parts.scheme}://{parts.netloc}/users/{user}"


def _account_from_mention(name: str, href: str) -> str | None:
    """A Mention's ``name`` (``@ana`` or ``@ana@host``) as ``ana@host``; a local
    name takes the host of its ``href``."""
    handle = name.strip().lstrip("@")
    if "@" not in handle:
        host = _host(href)
        if not host:
            return None
        handle = f"{handle}@{host}"
    return identities.normalise_mastodon(handle)


def _visibility(activity: object) -> str:
    """Mastodon's four audiences, read from ``to`` and ``cc``."""
    to = _strings(_get(activity, "to"))
    cc = _strings(_get(activity, "cc"))
    if PUBLIC in to or "as:Public" in to or "Public" in to:
        return "public"
    if PUBLIC in cc or "as:Public" in cc or "Public" in cc:
        return "unlisted"
    if any(a.endswith("/followers") for a in to + cc):
        return "followers"
    return "direct"


def _time(activity: object, note: Mapping[str, Any] | None, aid: str) -> int:
    raw = text(activity, "published") or text(note, "published")
    try:
        return iso_time(raw, "published time")
    except BadRecord as bad:
        raise BadRecord(f"{aid}: {bad.reason}") from None
