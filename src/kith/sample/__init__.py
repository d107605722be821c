"""A seeded sample of a small business owner's world, for ``kith demo``, tests and benchmarks.

Sam Rivera (``sam@rivera.studio``, also ``sam+news@rivera.studio`` for a
newsletter) runs a small design studio from New York. ``generate_world``
makes a year of Sam's e-mail with about 300 people: staff and advisors,
partners and suppliers, peers, customers and fans, each with a tier
(``inner``, ``active``, ``long_tail``) and a heavy-tailed ``reach`` that has
nothing to do with how much they give. ``write_mbox`` writes it as
``inbox.mbox``, ``sent.mbox`` and ``lists.mbox`` (mboxrd), ``write_truth``
as ``truth.json`` and ``people.json`` beside them. Everything comes from one
``random.Random(seed)``; nothing reads the clock.

The world holds patterns that later features must find, and
``SampleWorld.truth`` names who shows each (sorted e-mail addresses):

``rhythm_weekly`` / ``rhythm_monthly`` / ``rhythm_quarterly``
    people who write (and are written to) at their own steady rhythm.
``cooling``
    regular relationships that went silent 60–150 days before ``end``.
``givers_never_thanked``
    people who share Sam's work, refer customers ("I told my friend X about
    you — cc'ing them") and introduce people; Sam never writes to them.
    ``givers_thanked`` does the same and hears back: the control group.
``referred`` / ``introduced``
    the people those givers brought (``SamplePerson.referred_by``).
``owner_introduced``
    people Sam introduced to each other (gives going out).
``newcomers`` / ``newcomers_unanswered``
    first seen in the last 14 days; those Sam has not written to yet.
``waiting`` / ``waiting_recent`` / ``waiting_old`` / ``waiting_message_ids``
    asks (questions, requests, complaints…) with no later message from Sam
    in their thread at ``end``; recent means the last 7 days.
``list_members``
    the Makers Guild, a public mailing list Sam is on (``List-Id``).
``purchasers`` / ``complainers`` / ``html_only`` / ``non_ascii`` / ``high_reach``
    order receipts (``Reply-To`` the customer), complaints, HTML-only
    senders, RFC 2047 names, the top 5 % by reach.
``owner_addresses``
    Sam's own addresses.
``complementary_pairs``
    "asker giver": two regulars who never wrote to each other; one asks Sam
    for what the other has announced they now offer (introductions to suggest).
``ask_asked`` / ``ask_answered`` / ``conversation_new_people``
    an ask and its answers, and a public thread about Sam's business by
    people new to Sam (``kith.sample.connect``, which also plants the words
    only others use of Sam's work, ``GAP_WORDS``).

``bench/scale.py`` (outside the package) streams the same kinds of patterns
at benchmark size, for the benchmarks and a few tests.
"""

from kith.sample.entities import Address, SampleMessage, SamplePerson
from kith.sample.mbox import write_mbox, write_truth
from kith.sample.world import DEFAULT_END, SampleWorld, generate_world

__all__ = [
    "DEFAULT_END",
    "Address",
    "SampleMessage",
    "SamplePerson",
    "SampleWorld",
    "generate_world",
    "write_mbox",
    "write_truth",
]
