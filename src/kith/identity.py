"""Who is who: the rules that decide when two identities are one person.

These are pure functions; ``kith.store`` applies them while writing and records
every merge so that it can be undone.

Rules of this first version, strongest first:

1. The same identity (``kind`` + normalised ``value``) is always the same person.
2. A plus-address (``ana+news@x.org``) is an alias of its base address
   (``ana@x.org``): both belong to one person, the alias linked by ``alias_of``.
3. A new e-mail address whose display name has the same *name key* as a known
   person with an address at the same organisation's domain is that person
   ("Phillip Allen" writing from ``phillip.allen@enron.com`` and
   ``pallen@enron.com``). At public webmail domains (gmail.com …) and across
   different domains a shared name is too weak alone: it stays two people.
4. Automated senders (``jira@``, ``noreply@`` …, and a list's machinery:
   ``dev-owner@``, ``owner-dev@``, ``dev-bounces@``, ``dev-request@``) carry other
   people's names in their display names ("Ana (JIRA)"); their names never link anyone.

Mailing lists are circles, not people (``list_of_machinery``, ``is_sibling_list``):
the e-mail reader uses these rules to give a message its list's circle and to keep
list addresses out of its participants.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from functools import lru_cache

_PARENTHETICAL = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")

#: Local parts of addresses that send on behalf of machines, not people.
AUTOMATED_LOCAL_PARTS = frozenset(
    {
        "noreply",
        "no-reply",
        "donotreply",
        "do-not-reply",
        "notifications",
        "notification",
        "mailer-daemon",
        "postmaster",
        "jira",
        "jenkins",
        "hudson",
        "git",
        "github",
        "builds",
        "bot",
        "commits",
        "announce",
    }
)

#: Public webmail domains: two "Ana Lima"s at gmail.com are two people, so a
#: shared name links identities only within an organisation's own domain.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "hotmail.com",
        "hotmail.co.uk",
        "hotmail.fr",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
        "fastmail.com",
        "zoho.com",
    }
)

#: Fewest name tokens for a name to link identities ("Ana" alone is too common).
MIN_NAME_TOKENS = 2


@lru_cache(maxsize=1 << 16)
def name_key(name: str | None) -> str | None:
    """The form names are compared in: accents, case, punctuation and
    parentheticals removed, tokens in order. ``None`` when too short to trust.

    >>> name_key("Zoë  Köhler (JIRA)")
    'zoe kohler'
    """
    if not name:
        return None
    text = _PARENTHETICAL.sub(" ", name)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _NON_WORD.sub(" ", text.casefold())
    tokens = _SPACES.split(text.strip())
    if len([t for t in tokens if len(t) > 1]) < MIN_NAME_TOKENS:
        return None
    return " ".join(tokens)


#: ``automated_sender`` verdicts that still leave a display name worth linking by: a
#: gateway's machine-made address ("a478079f-…-612229@enron.com") carries its
#: person's name, though no one answers it as such.
NAMED_BY_A_PERSON = frozenset({"machine-made address"})


def is_automated(address: str) -> bool:
    """True for addresses that machines send from, whose display names are not a
    person's (names and links): ``automated_sender`` on the address alone, but
    for ``NAMED_BY_A_PERSON``."""
    why = automated_sender("email", address)
    return why is not None and why not in NAMED_BY_A_PERSON


#: Local parts (before ``@``) of senders that are systems, besides
#: ``AUTOMATED_LOCAL_PARTS``: also as the last part of a compound name
#: ("assignee.notification", "wallet-feedback", "ci.jenkins"; list owners are
#: ``list_of_machinery``), and bounces, newsletters, service desks, shop and billing
#: senders, notices ("critical.notice"), webmasters and subscription desks.
AUTOMATED_SENDER = re.compile(
    r"(?:^|[._+-])(?:no-?reply|do-?not-?reply|donotreply|mailer-daemon|postmaster|bounces?"
    r"|notifications?|notify|alerts?|jira|buildbot|builds?|bugzilla"
    r"|gerrit|github|gitlab|travis|robot|bot|automailer|newsletters?|digest|feedback"
    r"|customer[-_.]?service|customer[-_.]?care|travell?er[-_.]?care|arsystem"
    r"|orders?|receipts?|billing|invoices?|tickets?|helpdesk|support-?desk"
    r"|notices?|webmaster|subscriptions?|delivers)$",
    re.IGNORECASE,
)
#: Build servers, alone or after a build word ("ci.jenkins", "build-hudson"): after a
#: given name they are surnames ("daniel.jenkins@").
BUILD_SERVER = re.compile(r"^(?:(?:ci|builds?|apache)[._-])?(?:jenkins|hudson)$", re.IGNORECASE)
#: Hosts whose first label says they are a list server or a build or notification
#: system (not "ci.": a city's mail host, "ci.tacoma.wa.us", is people).
AUTOMATED_HOST = re.compile(
    r"^(?:mailman|lists?|bounces?|builds?|jenkins|notifications?|notify|alerts?)\.",
    re.IGNORECASE,
)
#: A local part a machine made: six digits or more (tracking ids, subscriber numbers).
MACHINE_LOCAL_PART = re.compile(r"\d{6,}")
#: Display names of systems: "Apache Jenkins Server", "Ana (JIRA)", "Build System",
#: "Performance Evaluation Process (PEP)".
AUTOMATED_NAME = re.compile(
    r"\((?:jira|jenkins|bugzilla|github|gerrit)\)|\bjenkins\b|\bjira\b|\bserver\b|\bsystem\b"
    r"|\bprocess\b"
    r"|\bno-?reply\b|\bnotifications?\b|\bdaemon\b",
    re.IGNORECASE,
)
#: Handles and names of bots and AI accounts on social networks ("Grok", "@somethingbot").
AUTOMATED_HANDLE = re.compile(
    r"^(?:grok|chatgpt|openai|gemini|claude|perplexity|copilot|askperplexity|threadreaderapp)$"
    r"|bot$|_bot\b|\bbot_",
    re.IGNORECASE,
)
#: Identity kinds that are e-mail addresses (the others are handles, ids, numbers).
_EMAIL_KINDS = frozenset({"email"})


def automated_sender(kind: str, value: str, display_name: str | None = None) -> str | None:
    """Why the identity ``kind``:``value`` (seen as ``display_name``) is a machine's
    and not a person's, or None: the one rule every surface uses (the importers'
    names and links, ``kith.signals.intent``, the daily queue's who-to-act-on).

    E-mail: ``AUTOMATED_LOCAL_PARTS``, ``noreply…``, a list's machinery
    (``list_of_machinery``), ``AUTOMATED_SENDER`` ("system sender"), a list or build
    host ("system host"), a machine-made local part ("machine-made address"), a
    system display name ("system name"). Social handles: bots and AI accounts
    (``AUTOMATED_HANDLE``, on the handle or the display name: "bot account").

    >>> automated_sender("email", "ci.jenkins@x.org"), automated_sender("x", "grok")
    ('system sender', 'bot account')
    """
    if kind not in _EMAIL_KINDS:
        if AUTOMATED_HANDLE.search(value.lstrip("@")) or (
            display_name and AUTOMATED_HANDLE.search(display_name.strip())
        ):
            return "bot account"
        return None
    local, _, host = value.partition("@")
    base = local.split("+", 1)[0]
    if (
        base in AUTOMATED_LOCAL_PARTS
        or base.startswith(("noreply", "no-reply"))
        or list_of_machinery(value) is not None
        or AUTOMATED_SENDER.search(local)
        or BUILD_SERVER.match(base)
    ):
        return "system sender"
    if AUTOMATED_HOST.match(host) and host.count(".") >= 2:
        return "system host"
    if MACHINE_LOCAL_PART.search(local):
        return "machine-made address"
    if display_name and AUTOMATED_NAME.search(display_name):
        return "system name"
    return None


# -- mailing lists: addresses that are circles, not people ------------------------

#: Suffixes of the addresses a list manager sends and receives its own mail from
#: (Mailman ``dev-bounces@``, ``dev-request@``; Majordomo and ezmlm ``dev-owner@``).
LIST_MACHINERY_SUFFIXES = ("-owner", "-bounces", "-request")
#: Prefix of the same in sendmail and Majordomo lists (``owner-dev@``).
LIST_MACHINERY_PREFIX = "owner-"
#: Local parts, alone or after ``<project>-``, that name a project's mailing list
#: (``dev@``, ``hdfs-dev@``, ``common-user@``, ``announce@``).
LIST_LOCAL_PARTS = frozenset({"dev", "user", "users", "commits", "issues", "announce", "general"})
#: Second-level labels under a country code that are not an organisation's own
#: (``x.co.uk``: the organisation is ``x.co.uk``, not ``co.uk``).
_SHARED_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})


def list_of_machinery(address: str) -> str | None:
    """The list whose manager sends from ``address``, or None.

    ``dev-owner@x.org``, ``owner-dev@x.org``, ``dev-bounces@x.org`` (also a VERP
    ``dev-bounces+ana=y.org@x.org``) and ``dev-request@x.org`` are ``dev@x.org``.

    >>> list_of_machinery("owner-dev@x.org"), list_of_machinery("ana@x.org")
    ('dev@x.org', None)
    """
    local, sep, domain = address.partition("@")
    if not sep:
        return None
    local = local.split("+", 1)[0]
    for suffix in LIST_MACHINERY_SUFFIXES:
        if local.endswith(suffix) and len(local) > len(suffix):
            return f"{local[: -len(suffix)]}@{domain}"
    if local.startswith(LIST_MACHINERY_PREFIX) and len(local) > len(LIST_MACHINERY_PREFIX):
        return f"{local[len(LIST_MACHINERY_PREFIX) :]}@{domain}"
    return None


def list_id_of(list_address: str) -> str:
    """The List-Id a list's address implies (RFC 2919 as Mailman and ezmlm write it):
    ``dev@sling.apache.org`` → ``dev.sling.apache.org``, so a message that names its
    list only by address joins the same circle as one that carries ``List-Id``."""
    local, _, domain = list_address.partition("@")
    return f"{local}.{domain}"


def organisation_domain(domain: str) -> str:
    """The domain an organisation owns: the last two labels (``hadoop.apache.org`` →
    ``apache.org``), three under a country code's shared second level (``x.co.uk``)."""
    labels = domain.split(".")
    keep = 2
    if len(labels) > 2 and len(labels[-1]) == 2 and labels[-2] in _SHARED_SECOND_LEVEL:
        keep = 3
    return ".".join(labels[-keep:])


def is_list_shaped(address: str) -> bool:
    """True when the local part names a list: one of ``LIST_LOCAL_PARTS``, alone or
    after a project's name and a hyphen (``hdfs-dev``, ``common-user``)."""
    local = address.split("@", 1)[0]
    project, hyphen, tail = local.rpartition("-")
    return local in LIST_LOCAL_PARTS or bool(project and hyphen and tail in LIST_LOCAL_PARTS)


def is_sibling_list(address: str, list_address: str) -> bool:
    """True when ``address``, a recipient of a message sent through the list at
    ``list_address``, is itself a list of the same organisation (a cross-post):
    list-shaped (``is_list_shaped``) at the same organisation's domain, never at a
    public webmail domain. ``core-dev@hadoop.apache.org`` and ``announce@apache.org``
    in a message from ``common-dev@hadoop.apache.org`` are; ``ana@apache.org`` is not.
    """
    if address == list_address or not is_list_shaped(address):
        return False
    domain = email_domain(address)
    if domain in FREEMAIL_DOMAINS:
        return False
    return organisation_domain(domain) == organisation_domain(email_domain(list_address))


def link_key(kind: str, value: str, display_name: str | None) -> str | None:
    """The key under which a new identity joins a known person by name (rule 3):
    ``name key @ domain`` for an e-mail address at an organisation's domain,
    with a trustworthy name; None when a name must not link anything (webmail
    and mail gateways: their addresses belong to everyone's organisations)."""
    if kind != "email" or is_automated(value):
        return None
    domain = email_domain(value)
    if domain in FREEMAIL_DOMAINS or domain in GATEWAY_DOMAINS:
        return None
    key = name_key(display_name)
    return f"{key}@{domain}" if key else None


def email_domain(address: str) -> str:
    return address.rsplit("@", 1)[-1]


def base_address(address: str) -> str:
    """``ana+news@x.org`` → ``ana@x.org``; other addresses unchanged."""
    local, sep, domain = address.partition("@")
    if not sep or "+" not in local:
        return address
    base = local.split("+", 1)[0]
    return f"{base}@{domain}" if base else address


def name_from_address(address: str) -> str:
    """A readable stand-in name for an address with no display name."""
    local = address.split("@", 1)[0].split("+", 1)[0]
    parts = [p for p in re.split(r"[._\-]+", local) if p]
    return " ".join(p.capitalize() for p in parts) or address


# -- mail gateways: one address copied under another ------------------------------

#: Domains of gateways that republish list mail under mangled addresses:
#: ``ana.lima-Re5JQEeQqe8AvxtiuMwx3w@public.gmane.org`` is ``ana.lima@`` somewhere.
GATEWAY_DOMAINS = frozenset({"public.gmane.org"})
#: The hash a gateway appends to the original local part (Gmane: 22 letters and digits).
_GATEWAY_HASH = re.compile(r"^(.+)-[A-Za-z0-9]{16,32}$")


def gateway_local_part(address: str) -> str | None:
    """The original local part of a gateway-mangled address, or None for any other.

    >>> gateway_local_part("ana.lima-Re5JQEeQqe8AvxtiuMwx3w@public.gmane.org")
    'ana.lima'
    """
    local, sep, domain = address.partition("@")
    if not sep or domain not in GATEWAY_DOMAINS:
        return None
    match = _GATEWAY_HASH.match(local)
    return match[1] if match else None


def gateway_confidence(
    copy: str, original: str, same_name: bool, candidates: int
) -> tuple[float, list[str]]:
    """How likely the gateway copy ``copy`` is the address ``original``, and why.

    A proposal for the user, never a merge: the same original local part is the
    base (0.6); the same name beside both adds 0.25; every further address with
    that local part (``candidates`` in all) takes 0.2 off, since the gateway's hash
    hides the domain.
    """
    evidence = [f"{copy} is a mail gateway's copy of an address like {original}"]
    score = 0.6
    if same_name:
        score += 0.25
        evidence.append("the same name beside both")
    if candidates > 1:
        score -= 0.2 * (candidates - 1)
        evidence.append(f"{candidates} addresses have this local part")
    return round(max(0.05, min(score, 0.95)), 2), evidence


# -- merge suggestions: weaker evidence, for the user to decide -------------------

#: A name shared by more people than this is too common to suggest anything.
MAX_NAME_GROUP = 8
_HANDLE_JUNK = re.compile(r"[^a-z]+")


def handle_stem(kind: str, value: str) -> str | None:
    """The letters of a handle or an address's local part (``ana.lima2@x`` →
    ``analima``), for comparing across channels."""
    if kind == "email":
        local = gateway_local_part(value) or value.split("@", 1)[0].split("+", 1)[0]
    elif kind == "mastodon":
        local = value.split("@", 1)[0]
    elif kind in ("x", "discourse"):
        local = value.rsplit("/", 1)[-1]
    else:
        return None
    stem = _HANDLE_JUNK.sub("", unicodedata.normalize("NFKD", local.casefold()))
    return stem or None


def suggestion_confidence(
    key: str,
    group_size: int,
    kinds_a: set[str],
    kinds_b: set[str],
    stems_a: set[str],
    stems_b: set[str],
) -> tuple[float, list[str]]:
    """How likely two people who share the name key ``key`` are one, and why.

    A *proposal*, not a finding (see SCIENCE.md on identity): a shared full
    name is the base (0.5); reaching each other's channels (an address and a
    handle) adds 0.1, handles spelling the same letters (``analima`` and
    ``ana.lima@``) or spelling the name add 0.25; every further person with
    the same name takes 0.1 off. The user accepts or rejects each suggestion.
    """
    evidence = [f"same name ({key})"]
    score = 0.5
    if len(key.split()) >= 3:
        score += 0.1
        evidence.append("a three-part name")
    if kinds_a != kinds_b and (kinds_a | kinds_b) - {"email"}:
        score += 0.1
        evidence.append(f"different channels ({', '.join(sorted(kinds_a | kinds_b))})")
    name_stem = key.replace(" ", "")
    shared = stems_a & stems_b
    if shared:
        score += 0.25
        evidence.append(f"the same handle letters ({sorted(shared)[0]})")
    elif name_stem in stems_a and name_stem in stems_b:
        score += 0.25
        evidence.append(f"both handles spell the name ({name_stem})")
    if group_size > 2:
        score -= 0.1 * (group_size - 2)
        evidence.append(f"{group_size} people share this name")
    return round(max(0.05, min(score, 0.95)), 2), evidence


# -- my own other identities ---------------------------------------------------------


def looks_like_mine(
    my_name: str | None, my_domains: Collection[str], kind: str, value: str, display: str | None
) -> str | None:
    """Why an e-mail identity is likely one of mine, or None: at one of my
    domains (or below one), it carries my first and last name (middle names and
    initials aside: "Phillip K. Allen"), or my name's address forms (``pallen``,
    ``phillip.k.allen``); at a public webmail domain, it shows my whole name and
    has my last name in its address; at another organisation's domain, it shows
    my whole name and has my first or last name in its address. An offer for the
    user to accept (``kith me add``), never applied by itself: namesakes work at
    one company too."""
    if kind != "email" or not my_name:
        return None
    local, _, domain = value.partition("@")
    mine = (name_key(my_name) or "").split()
    if len(mine) < 2:
        return None
    first, last = mine[0], mine[-1]
    theirs = (name_key(display) or "").split()
    named = len(theirs) >= 2 and (theirs[0], theirs[-1]) == (first, last)
    if domain in FREEMAIL_DOMAINS and domain not in my_domains:
        # A personal mailbox: my whole name shown, and my name in the address
        # ("phillip allen" <pallen70@hotmail.com>); a namesake is still possible.
        if named and last in local.lower():
            return f"your name ({display}) at a personal mailbox ({domain})"
        return None
    if not any(domain == d or domain.endswith("." + d) for d in my_domains):
        # Another organisation's address (a project's, a client's): my whole
        # name shown and my first or last name in the address
        # ("Jukka Zitting" <jukka@apache.org>); a namesake is still possible.
        if named and (first in local.lower() or last in local.lower()):
            return f"your name ({display}) at {domain}, and in its address"
        return None
    if named:
        return f"your name ({display}) at {domain}"
    parts = [p for p in re.split(r"[._\-]+", local.split("+", 1)[0].lower()) if p]
    if parts and (
        parts == [first[0] + last]
        or (len(parts) > 1 and parts[0] in (first, first[0]) and parts[-1] == last)
    ):
        return f"your name's form of address at {domain}"
    return None
