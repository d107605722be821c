"""Who is a person to act on: the daily queue's gate, and the person view's why.

Everyone stays in the ledger; only some are people the daily list asks me to
write to. Two rules, in order:

1. **Machines** (``kith.identity.automated_sender``, the one rule for
   no-reply, notification, CI, ticket and shop senders and bot or AI
   accounts): when every identity of a person is a machine's, they get no item
   of any kind (nothing they send waits for an answer, nothing is a give).
2. **Only in public**: when every interaction with them is public
   (``public_share`` 1: posts, mentions, list mail, community threads), they
   are a public figure, an organisation or a stranger met in a public circle,
   not someone in touch with me: no check-in, thank-you, welcome, nor a
   follow-up on a question I put to them in public (``PUBLIC_BLOCKS``). A
   question they put to me still waits for a reply.

And one for who can be *new to me*: someone at my own organisation (every
address of theirs at the organisation domain of one of my own, not a webmail
one: ``colleague``) is a colleague, never welcomed as a newcomer who "found
me"; nor is anyone I wrote to first (``kith.attention.candidates``).
"""

from __future__ import annotations

from collections.abc import Sequence

from kith.identity import FREEMAIL_DOMAINS, automated_sender, email_domain, organisation_domain

#: The kinds of item a person met only in public never gets.
PUBLIC_BLOCKS = frozenset({"check_in", "thank", "welcome", "follow_up"})
#: A public share this high (every interaction public) is "only in public".
ONLY_PUBLIC_SHARE = 1.0

#: (kind, value, display name) of one identity.
IdentityRow = tuple[str, str, str | None]


def machine(identities: Sequence[IdentityRow]) -> str | None:
    """Why every identity of a person is a machine's ("system sender:
    noreply@x.org"), or None when one of them is not (or there are none).
    A bare numeric account id (an X id without a name) is not counted."""
    reasons: list[tuple[bool, str]] = []
    for kind, value, display_name in identities:
        if kind != "email" and value.isdigit() and not display_name:
            continue  # a bare numeric account id says nothing either way
        why = automated_sender(kind, value, display_name)
        if why is None:
            return None
        reasons.append((value.isdigit(), f"{why}: {value}"))
    return min(reasons)[1] if reasons else None  # a handle or address before a bare id


def only_in_public(public_share: float | None) -> bool:
    """Every interaction with them was public (None: not known, not held against them)."""
    return public_share is not None and public_share >= ONLY_PUBLIC_SHARE


def blocked(kind: str, public_share: float | None) -> bool:
    """True when a person with ``public_share`` never gets an item of ``kind``."""
    return kind in PUBLIC_BLOCKS and only_in_public(public_share)


def why_not(identities: Sequence[IdentityRow], public_share: float | None) -> str | None:
    """The person view's sentence on why someone is not a person to act on, or None."""
    found = machine(identities)
    if found is not None:
        return f"an automated sender ({found}): kept in the ledger, never on the daily list"
    if only_in_public(public_share):
        return (
            "met only in public (posts, mentions, list or community threads): "
            "no check-ins, thank-yous, welcomes or follow-ups; a question they ask you still waits"
        )
    return None


def my_organisations(my_identities: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The organisation domains of my own e-mail addresses (webmail aside)."""
    return frozenset(
        organisation_domain(email_domain(value))
        for kind, value in my_identities
        if kind == "email" and email_domain(value) not in FREEMAIL_DOMAINS
    )


def colleague(identities: Sequence[IdentityRow], organisations: frozenset[str]) -> bool:
    """Every e-mail address of theirs (at least one) is at one of my
    ``organisations`` (``my_organisations``): someone I work with."""
    domains = [
        organisation_domain(email_domain(value)) for kind, value, _ in identities if kind == "email"
    ]
    return bool(domains) and all(d in organisations for d in domains)
