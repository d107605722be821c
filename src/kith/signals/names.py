"""A person's first name for a greeting, only when it is sure: the one rule for
the drafts' salutations (``kith.attention.drafts``) and for reading whom a
message greets (``kith.signals.intent``).

Names are parsed by ``nameparser`` (titles such as "Dr.", "Prof.", suffixes
such as "MdB" or "Jr.", "Last, First" order). A first name is *sure* when the
name has a first and a last part, the first is a word of letters (hyphens and
apostrophes allowed: "Jean-Luc", "O'Neil") of at least two letters (not an
initial), the name is not all in capitals, and it is not an organisation's ("Acme Corp", "Support
Team") or a handle ("milahu104", "@grok"). Otherwise there is none, and a
draft says "Hi," — never "Hi Dr.,".
"""

from __future__ import annotations

import re
from functools import lru_cache

#: A first name: letters, with inner hyphens or apostrophes.
_WORD = re.compile(r"^[^\W\d_]{2,}(?:[-'’][^\W\d_]+)*$")
#: Words that make a name an organisation's, not a person's.
ORGANISATION_WORDS = frozenset(
    {
        *("inc", "inc.", "llc", "ltd", "ltd.", "gmbh", "ag", "corp", "corp.", "co.", "company"),
        *("corporation", "team", "group", "support", "services", "service", "foundation"),
        *("university", "bank", "news", "official", "sales", "info", "office", "club"),
        *("association", "society", "institute", "store", "shop", "partners", "media"),
    }
)


@lru_cache(maxsize=1 << 14)
def first_name(name: str | None) -> str | None:
    """The first name to greet ``name`` by, or None when none is sure (see the
    module docstring).

    >>> first_name("Dr. Maximilian Krah MdB"), first_name("Kitchen, Louise")
    ('Maximilian', 'Louise')
    >>> first_name("Dr."), first_name("Acme Corp"), first_name("milahu104"), first_name("Grok")
    (None, None, None, None)
    """
    from nameparser import HumanName

    if not name or not name.strip() or name.strip().startswith("@"):
        return None
    words = {w.casefold().strip(",") for w in name.split()}
    if words & ORGANISATION_WORDS:
        return None
    parsed = HumanName(name.strip())
    first, last = parsed.first.strip(), parsed.last.strip()
    if not first or not last or not _WORD.match(first):
        return None
    if first.isupper() and last.isupper():  # "RHEINMETALL ENTWAFFNEN": a banner, not a name
        return None
    return first[0].upper() + first[1:] if first.islower() else first
