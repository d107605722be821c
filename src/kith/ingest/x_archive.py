"""X (Twitter) archives: the folder, or the ``.zip``, from "Download an archive".

Its ``data/`` folder holds JavaScript files that are JSON arrays behind a
``window.YTD.<name>.part0 = `` prefix (``data/README.txt`` documents each).
What kith reads, and what it makes of it:

``account.js`` (or ``manifest.js``)
    The owner: a ``ContactRecord`` with ``is_me`` (``x-id``, ``x`` handle,
    e-mail), plus ``profile.js``'s website, location and bio as facts.
``tweets.js`` (``tweet.js`` in older archives; ``-partN`` files too)
    The owner's tweets, each at most one interaction, first rule that fits:

    1. a retweet (``retweeted_status``, or text ``RT @user:``) → ``share`` to
       the original author: a give from me;
    2. a reply to someone else → ``reply`` to them, other people named in it
       as ``cc``;
    3. a quote (``quoted_status_id``, or a link to someone's status) →
       ``share`` to the quoted author;
    4. people named (``@user``) → ``mention`` to each;
    5. anything else (a plain tweet, a thread of my own) involves nobody and
       is left out without a word.

    ``refs`` are ``(root, parent)``: the parent tweet, and the oldest tweet of
    the archive's reply chain above it, so a thread of mine stays one thread
    whatever order it is stored in. (The archive has no conversation ids.)
``direct-messages.js``
    Each message, both ways: ``message``, ``visibility`` private.
``follower.js`` / ``following.js``
    A ``ContactRecord`` per account: fact ``follows: me`` (they follow me) or
    ``followed_by: me`` (I follow them).

Left out: blocks and mutes (not relationships to grow), likes (no time and no
author in the archive), group DMs, and everything about ads and devices.

Everyone is known by ``x-id`` where the archive gives the id (handles change,
ids do not); a ``ContactRecord`` links each id to its handle and name once.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kith.errors import InputError
from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.bundle import Bundle, is_zip
from kith.ingest.fields import (
    BadRecord,
    BrokenJSON,
    clip,
    digits,
    iso_time,
    items,
    iter_json_array,
    load_json,
    obj,
    text,
    twitter_time,
)
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

SOURCE = "x"

_YTD = re.compile(r"\s*window\.YTD\.[\w.]+\s*=\s*")
_THAR = re.compile(r"\s*window\.__THAR_CONFIG\s*=\s*")
_RT = re.compile(r"RT @(\w{1,50}):")
_STATUS_URL = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:x|twitter)\.com/(\w{1,50})/status(?:es)?/(\d{1,30})"
)
#: Files that mark a folder or zip as an X archive (the first found is the anchor).
_MARKERS = ("data/account.js", "data/tweets.js", "data/tweet.js")
_DATA_FILES = ("account.js", "tweets.js", "tweet.js")
#: URL shorteners: a profile website behind one says nothing about its owner offline.
_SHORTENERS = ("t.co/",)


class XArchiveImporter(Importer):
    """Reads an X/Twitter archive folder or zip."""

    name = "x"
    description = "an X/Twitter archive (the folder or .zip from 'Download an archive')"

    def identify(self, path: Path) -> bool:
        if path.is_dir():
            data = path / "data" if (path / "data").is_dir() else path
            return any(_starts_ytd(data / name) for name in _DATA_FILES)
        if is_zip(path):
            try:
                with Bundle(path) as bundle:
                    return bundle.find(*_MARKERS) is not None
            except InputError:
                return False
        return False

    def files(self, path: Path) -> list[Path]:
        try:
            with Bundle(path) as bundle:
                return bundle.files(_Members.of(bundle).all())
        except InputError:
            return [path]

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        with Bundle(path) as bundle:
            members = _Members.of(bundle)
            reader = _Reader(bundle, options)
            yield from reader.owner(members)
            # Who follows whom first: those facts ride on the card of each person
            # met in the tweets (one card a person; the ledger writes each one).
            for member in members.followers:
                yield from reader.follows(member, "follower", Fact("follows", "me"))
            for member in members.following:
                yield from reader.follows(member, "following", Fact("followed_by", "me"))
            for member in members.tweets:
                yield from reader.tweets(member)
            for member in members.dms:
                yield from reader.direct_messages(member)
            yield from reader.follow_cards()


def _starts_ytd(file: Path) -> bool:
    try:
        with file.open("rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return _YTD.match(head.decode("utf-8-sig", errors="replace")) is not None


@dataclass(slots=True)
class _Members:
    """Where the archive's files are, by what they hold."""

    account: str | None = None
    manifest: str | None = None
    profile: str | None = None
    tweets: list[str] = field(default_factory=list)
    dms: list[str] = field(default_factory=list)
    followers: list[str] = field(default_factory=list)
    following: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, bundle: Bundle) -> _Members:
        anchor = bundle.find(*_MARKERS, *_DATA_FILES)
        if anchor is None:
            raise InputError(
                "not an X archive: no data/account.js or data/tweets.js",
                where=str(bundle.path),
                hint="give the unpacked archive folder (holding data/) or its .zip",
            )

        def one(name: str) -> str | None:
            found = bundle.siblings(anchor, name)
            return found[0] if found else None

        def parts(*names: str) -> list[str]:
            for name in names:  # the newer name wins over the older one
                found = [m for m in bundle.siblings(anchor, f"{name}*.js") if _is_part(m, name)]
                if found:
                    return sorted(found, key=_part_number)
            return []

        return cls(
            account=one("account.js"),
            manifest=one("manifest.js"),
            profile=one("profile.js"),
            tweets=parts("tweets", "tweet"),
            dms=parts("direct-messages", "direct-message"),
            followers=parts("follower"),
            following=parts("following"),
        )

    def all(self) -> list[str]:
        one = [m for m in (self.account, self.profile) if m]
        return one + self.tweets + self.dms + self.followers + self.following


def _is_part(member: str, name: str) -> bool:
    """``tweets.js`` or ``tweets-part3.js`` for ``name`` ``tweets``."""
    stem = PurePosixPath(member).name[:-3]
    return stem == name or re.fullmatch(rf"{re.escape(name)}-part\d+", stem) is not None


def _part_number(member: str) -> int:
    match = re.search(r"-part(\d+)\.js$", member)
    return int(match.group(1)) if match else 0


@dataclass(slots=True)
class _Me:
    id: str
    handle: str | None
    ref: IdentityRef
    author: Participant  # FROM me, made once


class _Reader:
    """Reads one archive; remembers the owner and the people already described."""

    def __init__(self, bundle: Bundle, options: ImportOptions) -> None:
        self.bundle = bundle
        self.options = options
        self.store_bodies = options.store_bodies
        self.me: _Me | None = None
        self.described: set[str] = set()  # x-ids whose ContactRecord was yielded
        self._handles: dict[str, tuple[str, str | None]] = {}  # x-id → (handle, name)
        self.follow: dict[str, tuple[Origin, list[Fact]]] = {}  # x-id → follows facts
        self._mine: set[tuple[str, str]] = set()  # my identities, as (kind, value)
        self._handle_cache: dict[str, str | None] = {}
        self._ref_cache: dict[tuple[str | None, str | None, str | None], IdentityRef] = {}

    # -- files ------------------------------------------------------------------

    def _elements(self, member: str) -> Iterator[tuple[Origin, Any] | Skipped]:
        """Each element of a ``window.YTD`` file, or a ``Skipped`` where it breaks off."""
        where = self.bundle.where(member)
        source = self.bundle.read(member).decode("utf-8-sig", errors="replace")
        prefix = _YTD.match(source)
        if prefix is None:
            raise InputError(
                "not an X archive data file: it should start with 'window.YTD.<name>.part0 = '",
                where=where,
            )
        try:
            for index, value in iter_json_array(source, prefix.end(), where):
                yield Origin(where, index), value
        except BrokenJSON as exc:
            yield Skipped(
                Origin(where, exc.index),
                f"unreadable JSON from this record on ({exc.detail}); the rest of the file "
                "is not read",
            )

    # -- the owner --------------------------------------------------------------

    def owner(self, members: _Members) -> Iterator[Record]:
        account, origin = self._account(members)
        my_id = digits(text(account, "accountId"))
        if my_id is None:
            raise InputError(
                "the archive's account has no accountId", where=origin.file, hint=_REEXPORT
            )
        handle = identities.normalise_x_handle(
            text(account, "username") or text(account, "userName") or ""
        )
        name = text(account, "accountDisplayName") or text(account, "displayName")
        me_ref = IdentityRef("x-id", my_id, name)
        self.me = _Me(my_id, handle, me_ref, Participant(Role.FROM, me_ref))
        self._mine = {("x-id", my_id), ("x", handle or "")}
        ids = [me_ref]
        if handle:
            ids.append(IdentityRef("x", handle, name))
        mail = identities.email(text(account, "email") or "")
        if mail:
            ids.append(mail)
        facts: list[Fact] = []
        if members.profile:
            for item in self._elements(members.profile):
                if isinstance(item, Skipped):
                    yield item
                    continue
                description = obj(obj(item[1], "profile"), "description")
                website = text(description, "website")
                if website:
                    facts.append(Fact("url", website.strip()))
                    if not website.split("://")[-1].startswith(_SHORTENERS):
                        site = identities.url(website)
                        if site:
                            ids.append(site)
                for key in ("location", "bio"):
                    value = text(description, key)
                    if value:
                        facts.append(Fact(key, value.strip()))
        self.described.add(my_id)
        yield ContactRecord(
            SOURCE,
            f"account:{my_id}",
            tuple(dict.fromkeys(ids)),
            origin,
            name=name,
            facts=tuple(facts),
            is_me=True,
        )

    def _account(self, members: _Members) -> tuple[Mapping[str, Any], Origin]:
        if members.account:
            for item in self._elements(members.account):
                if isinstance(item, Skipped):
                    raise InputError(item.reason, where=item.origin.file, hint=_REEXPORT)
                origin, value = item
                account = obj(value, "account")
                if account is not None:
                    return account, origin
        if members.manifest:
            where = self.bundle.where(members.manifest)
            source = self.bundle.read(members.manifest)
            prefix = _THAR.match(source.decode("utf-8-sig", errors="replace"))
            if prefix is not None:
                config = load_json(source[prefix.end() :].rstrip(b"; \r\n\t"), where, "manifest")
                info = obj(config, "userInfo")
                if info is not None:
                    return info, Origin(where, 0)
        raise InputError(
            "the archive does not say whose it is (no readable account.js or manifest.js)",
            where=str(self.bundle.path),
            hint=_REEXPORT,
        )

    # -- tweets -----------------------------------------------------------------

    def tweets(self, member: str) -> Iterator[Record]:
        # One pass reads each tweet into a draft (the parsed JSON is let go at
        # once: a big archive's tweets take ten times their file size as Python
        # objects); threads are known only at the end, since a reply's parent
        # comes after it in the file (newest first), so refs are added then.
        pending: list[Record | _Draft] = []
        parents: dict[str, str] = {}
        for item in self._elements(member):
            if isinstance(item, Skipped):
                pending.append(item)
                continue
            origin, value = item
            tweet = value.get("tweet") if type(value) is dict else None
            if type(tweet) is not dict:
                if type(value) is dict and "id_str" in value:
                    tweet = value  # archives from before 2020: bare tweet objects
                else:
                    pending.append(Skipped(origin, "not a tweet: the record has no 'tweet' object"))
                    continue
            try:
                self._draft(origin, tweet, pending, parents)
            except BadRecord as bad:
                pending.append(Skipped(origin, bad.reason))
        roots = _roots(parents)
        for entry in pending:
            if type(entry) is _Draft:
                yield entry.record(roots.get(entry.sid))
            else:
                yield entry  # type: ignore[misc]

    def _draft(
        self,
        origin: Origin,
        tweet: dict[str, Any],
        pending: list[Record | _Draft],
        parents: dict[str, str],
    ) -> None:
        """Read one tweet: note its parent, and add its draft (and the cards of
        people first met in it) to ``pending``."""
        me = self._owner()
        sid = _digits(tweet.get("id_str")) or _digits(tweet.get("id"))
        if sid is None:
            raise BadRecord("a tweet without an id")
        reply_sid = _digits(tweet.get("in_reply_to_status_id_str"))
        if reply_sid is not None:
            parents[sid] = reply_sid
        try:
            at = twitter_time(_str(tweet.get("created_at")))
        except BadRecord as bad:
            raise BadRecord(f"tweet {sid}: {bad.reason}") from None
        body = _str(tweet.get("full_text")) or _str(tweet.get("text")) or ""
        if "&" in body:
            body = html.unescape(body)
        entities = tweet.get("entities")
        mentions = self._mentions(entities) if type(entities) is dict else {}
        reply_uid = _digits(tweet.get("in_reply_to_user_id_str"))
        is_reply = reply_uid is not None or reply_sid is not None

        kind: Kind | None = None
        main: IdentityRef | None = None
        extra: dict[str, str] = {}
        others: list[IdentityRef] = []  # a retweet's mentions are the original's, not mine
        retweeted = self._retweeted(tweet, body, mentions)
        if retweeted is not None:
            kind, main = Kind.SHARE, retweeted
        else:
            mine = self._mine
            others = [m for m in mentions.values() if (m.kind, m.value) not in mine]
            if reply_uid is not None and reply_uid != me.id:
                kind = Kind.REPLY
                main = self._person(reply_uid, _str(tweet.get("in_reply_to_screen_name")), mentions)
            else:
                quoted = self._quoted(tweet, mentions)
                if quoted is not None:
                    kind, (main, extra["quoted_url"]) = Kind.SHARE, quoted
                elif others:
                    kind = Kind.MENTION
        if kind is None or (main is not None and self._is_me(main)):
            return  # involves nobody but me
        recipients: list[Participant] = []
        if main is not None:
            recipients.append(Participant(Role.TO, main))
        cc_role = Role.TO if kind is Kind.MENTION else Role.CC
        for other in others:
            if main is None or other.key != main.key:
                recipients.append(Participant(cc_role, other))
        pending.extend(self._cards(recipients, origin))
        extra["visibility"] = "public"
        extra["url"] = f"https://x.com/{me.handle or 'i/web'}/status/{sid}"
        pending.append(
            _Draft(
                sid,
                reply_sid,
                kind,
                at,
                (me.author, *recipients),
                origin,
                clip(body) if self.store_bodies else None,
                is_reply,
                extra,
            )
        )

    def _owner(self) -> _Me:
        if self.me is None:  # pragma: no cover - owner() always runs first
            raise InputError("the archive's owner was not read first", where=str(self.bundle.path))
        return self.me

    def _is_me(self, ref: IdentityRef) -> bool:
        return (ref.kind, ref.value) in self._mine

    def _mentions(self, entities: dict[str, Any]) -> dict[str, IdentityRef]:
        """People named in a tweet, by lower-case handle (or id), in order."""
        found: dict[str, IdentityRef] = {}
        mentions = entities.get("user_mentions")
        if type(mentions) is not list:
            return found
        for mention in mentions:
            if type(mention) is not dict:
                continue
            uid = _digits(mention.get("id_str")) or _digits(mention.get("id"))
            handle = self._handle(mention.get("screen_name"))
            ref = self._ref(uid, handle, _str(mention.get("name")))
            if ref is not None:
                found.setdefault(handle or ref.value, ref)
        return found

    def _handle(self, raw: object) -> str | None:
        """A handle, normalised once per spelling (the same few recur a lot)."""
        if type(raw) is not str:
            return None
        try:
            return self._handle_cache[raw]
        except KeyError:
            handle = self._handle_cache[raw] = identities.normalise_x_handle(raw)
            return handle

    def _ref(self, uid: str | None, handle: str | None, name: str | None) -> IdentityRef | None:
        """One person's identity (x-id when known), remembering the handle that goes
        with the id for a ContactRecord. The same refs are shared, not remade."""
        key = (uid, handle, name)
        ref = self._ref_cache.get(key)
        if ref is not None:
            return ref
        if uid is not None:
            ref = IdentityRef("x-id", uid, name)
            if handle:
                self._handles.setdefault(uid, (handle, name))
        elif handle:
            ref = IdentityRef("x", handle, name)
        else:
            return None
        self._ref_cache[key] = ref
        return ref

    def _person(
        self, uid: str | None, screen_name: str | None, mentions: dict[str, IdentityRef]
    ) -> IdentityRef | None:
        handle = self._handle(screen_name)
        named = mentions.get(handle) if handle else None
        if named is not None and (uid is None or named.value == uid):
            return named
        return self._ref(uid, handle, None)

    def _retweeted(
        self, tweet: Mapping[str, Any], body: str, mentions: dict[str, IdentityRef]
    ) -> IdentityRef | None:
        original = obj(tweet, "retweeted_status")
        if original is not None:
            user = obj(original, "user")
            uid = digits(text(user, "id_str") or text(user, "id"))
            return self._ref(
                uid,
                identities.normalise_x_handle(text(user, "screen_name") or ""),
                text(user, "name"),
            )
        match = _RT.match(body)
        if match is None:
            return None
        return self._person(None, match.group(1), mentions)

    def _quoted(
        self, tweet: Mapping[str, Any], mentions: dict[str, IdentityRef]
    ) -> tuple[IdentityRef, str] | None:
        """The quoted tweet's author and URL, when the author can be told."""
        me = self._owner()
        urls = [
            text(u, "expanded_url") or ""
            for u in items(obj(tweet, "entities"), "urls")
            if isinstance(u, dict)
        ]
        permalink = text(obj(tweet, "quoted_status_permalink"), "expanded")
        for url in [permalink or "", *urls]:
            match = _STATUS_URL.match(url)
            if match is None:
                continue
            handle = match.group(1).lower()
            if handle in ("i", me.handle):
                continue
            ref = self._person(None, handle, mentions)
            if ref is not None:
                return ref, match.group(0)
        return None

    def _cards(self, recipients: list[Participant], seen_at: Origin) -> Iterator[ContactRecord]:
        """A ContactRecord for each newly seen x-id whose handle is known."""
        for part in recipients:
            ref = part.identity
            if ref.kind != "x-id" or ref.value in self.described:
                continue
            known = self._handles.get(ref.value)
            if known is None:
                continue
            self.described.add(ref.value)
            handle, name = known
            origin, facts = self.follow.get(ref.value, (seen_at, []))
            yield ContactRecord(
                SOURCE,
                f"user:{ref.value}",
                (IdentityRef("x-id", ref.value, name), IdentityRef("x", handle, name)),
                origin,
                name=name,
                facts=tuple(facts),
            )

    # -- direct messages ----------------------------------------------------------

    def direct_messages(self, member: str) -> Iterator[Record]:
        me = self._owner()
        for item in self._elements(member):
            if isinstance(item, Skipped):
                yield item
                continue
            origin, value = item
            conversation = obj(value, "dmConversation")
            if conversation is None:
                yield Skipped(origin, "not a conversation: no 'dmConversation' object")
                continue
            cid = text(conversation, "conversationId") or ""
            for message in items(conversation, "messages"):
                create = obj(message, "messageCreate")
                if create is None:
                    continue  # reactions, joins, leaves: not messages
                try:
                    yield self._message(origin, cid, create, me)
                except BadRecord as bad:
                    yield Skipped(origin, bad.reason)

    def _message(
        self, origin: Origin, cid: str, create: Mapping[str, Any], me: _Me
    ) -> InteractionRecord:
        mid = digits(text(create, "id"))
        if mid is None:
            raise BadRecord(f"a direct message without an id in conversation {cid!r}")
        sender = digits(text(create, "senderId"))
        recipient = digits(text(create, "recipientId"))
        if recipient is None and sender is not None:  # one-to-one: "<id>-<id>"
            ends = [p for p in cid.split("-") if p != sender]
            recipient = digits(ends[0]) if len(ends) == 1 else None
        if sender is None or recipient is None:
            raise BadRecord(f"direct message {mid}: no sender or recipient id")
        try:
            at = iso_time(text(create, "createdAt"), "createdAt")
        except BadRecord as bad:
            raise BadRecord(f"direct message {mid}: {bad.reason}") from None

        def who(uid: str) -> IdentityRef:
            return me.ref if uid == me.id else IdentityRef("x-id", uid)

        body = html.unescape(text(create, "text") or "")
        return InteractionRecord(
            SOURCE,
            f"dm:{mid}",
            Channel.SOCIAL,
            Kind.MESSAGE,
            at,
            (Participant(Role.FROM, who(sender)), Participant(Role.TO, who(recipient))),
            origin,
            body=clip(body) if self.options.store_bodies else None,
            thread_key=f"dm:{cid}" if cid else None,
            extra={"visibility": "private"},
        )

    # -- followers and following ---------------------------------------------------

    def follows(self, member: str, key: str, fact: Fact) -> Iterator[Skipped]:
        """Read one follower/following file into ``self.follow``; yields what is unreadable."""
        for item in self._elements(member):
            if isinstance(item, Skipped):
                yield item
                continue
            origin, value = item
            uid = digits(text(obj(value, key), "accountId"))
            if uid is None:
                yield Skipped(origin, f"a {key} record without an accountId")
                continue
            if uid not in self.follow:
                self.follow[uid] = (origin, [])
            self.follow[uid][1].append(fact)

    def follow_cards(self) -> Iterator[ContactRecord]:
        """Cards for followers and followed accounts not met in the tweets."""
        for uid, (origin, facts) in self.follow.items():
            if uid not in self.described:
                self.described.add(uid)
                yield ContactRecord(
                    SOURCE, f"user:{uid}", (IdentityRef("x-id", uid),), origin, facts=tuple(facts)
                )


_REEXPORT = "the archive may be incomplete: download it again from X"


def _str(value: object) -> str | None:
    return value if type(value) is str and value else None


def _digits(value: object) -> str | None:
    """An id: a string of digits (X writes ids as strings; numbers are taken too)."""
    if type(value) is str:
        return value if value.isdigit() and len(value) <= 30 else None
    if type(value) is int and value >= 0:
        return str(value)
    return None


@dataclass(slots=True)
class _Draft:
    """A tweet read, waiting for its thread: ``record(root)`` finishes it."""

    sid: str
    parent: str | None
    kind: Kind
    at: int
    participants: tuple[Participant, ...]
    origin: Origin
    body: str | None
    is_reply: bool
    extra: dict[str, str]

    def record(self, root: str | None) -> InteractionRecord:
        """``refs``: the oldest tweet the reply chain reaches, then the parent."""
        refs: tuple[str, ...] = ()
        if self.parent is not None:
            root = root or self.parent
            refs = (root, self.parent) if root != self.parent else (self.parent,)
        return InteractionRecord(
            SOURCE,
            self.sid,
            Channel.SOCIAL,
            self.kind,
            self.at,
            self.participants,
            self.origin,
            body=self.body,
            refs=refs,
            is_reply=self.is_reply,
            extra=self.extra,
        )


def _roots(parents: dict[str, str]) -> dict[str, str]:
    """For each tweet with a parent, the oldest tweet its chain of parents reaches
    (the first one whose parent is not in the archive, or that parent itself)."""
    root: dict[str, str] = {}
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        current = start
        while current in parents and current not in root and current not in on_path:
            path.append(current)
            on_path.add(current)
            current = parents[current]
        top = root.get(current, current)
        for sid in path:
            root[sid] = top
    return root
