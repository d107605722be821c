"""What ``kith ask``, ``kith conversations`` and ``kith perception`` must find
in the sample world, planted after every other pattern, from a random stream
of their own (the rest of the world is the same with or without them):

``ask_asked`` / ``ask_answered``
    Sam asks three peers ``ASK_TEXT`` (under the subject ``kith ask`` gives
    it), ``ASK_DAYS_BEFORE_END`` days before the end; two answer in the thread.
``conversation_new_people``
    a Makers Guild thread asking about Sam's business (``BUSINESS``), by list
    members Sam has never written with; Sam is not in it.
``GAP_WORDS``
    words customers and fans use of Sam's work, in notes long answered, that
    Sam never uses (``kith perception`` must put them on the others' side).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from kith.connect.asks import subject_of
from kith.sample.entities import LIST_ADDRESS, OWNER, OWNER_EMAILS, SampleMessage, SamplePerson

if TYPE_CHECKING:
    from kith.sample.story import Story

#: Sam's business, as people name it in public.
BUSINESS = "Rivera Studio"
#: The planted ask, how many it goes to and how many answer.
ASK_TEXT = "Who knows a good risograph printer in Brooklyn for a short zine run?"
ASK_SUBJECT = subject_of(ASK_TEXT)
ASK_PEOPLE = 3
ASK_ANSWERS = 2
ASK_DAYS_BEFORE_END = 12
#: The public thread: days before the end, and how many people start and join it.
THREAD_DAYS_BEFORE_END = 4
THREAD_PEOPLE = 2
#: The words only others use of Sam's work, and the notes that carry them.
GAP_WORDS = ("meticulous", "unhurried", "warmhearted", "tactile", "whimsical")
GAP_NOTES = 12
GAP_WORDS_PER_NOTE = 3
#: The notes fall this many days before the end (long answered, never waiting).
GAP_DAYS_BEFORE_END = (120, 300)


def _plain(p: SamplePerson) -> bool:
    """Someone in no other planted pattern."""
    return not (p.rhythm or p.giver or p.cooling_after or p.newcomer or p.referred or p.introduced)


def _known_to_owner(messages: list[SampleMessage]) -> set[str]:
    """Addresses that ever wrote to Sam (a reply to Sam's message on a list
    included: kith takes it as written to Sam) or were written to by Sam directly."""
    known: set[str] = set()
    sams = {m.message_id for m in messages if m.sender.email in OWNER_EMAILS}
    for m in messages:
        if m.sender.email in OWNER_EMAILS:
            known.update(a.email for a in (*m.to, *m.cc))
        elif any(a.email in OWNER_EMAILS for a in (*m.to, *m.cc)) or m.in_reply_to in sams:
            known.add(m.sender.email)
    return known


def plant(story: Story) -> dict[str, list[str]]:
    """Add the messages (see the module docstring); the truth they make."""
    rng = random.Random(f"kith-sample/{story.seed}/connect")
    end = story.end
    truth: dict[str, list[str]] = {}

    # The ask: three peers, two answers in the thread.
    peers = sorted(
        (p for p in story.people if p.role in ("peer", "partner", "advisor") and _plain(p)),
        key=lambda p: p.email,
    )
    asked = rng.sample(peers, min(ASK_PEOPLE, len(peers)))
    when = end - timedelta(days=ASK_DAYS_BEFORE_END, hours=rng.randrange(8))
    answered = []
    for n, p in enumerate(asked):
        ask = story.emit(
            sender=OWNER,
            to=(p.address,),
            cc=(),
            when=when + timedelta(minutes=n),
            subject=ASK_SUBJECT,
            body=f"Hi {p.first},\n\nI have a small ask: {ASK_TEXT}\n\nThanks!\nSam\n",
            tag="ask",
            parent=None,
        )
        if n < ASK_ANSWERS:
            story.emit(
                sender=p.sender,
                to=(OWNER,),
                cc=(),
                when=ask.date + timedelta(hours=3 + 20 * n),
                subject=ASK_SUBJECT,
                body=f"Hi Sam,\n\nTry the risograph co-op on Atlantic Avenue.\n\n{p.first}\n",
                tag="ask_reply",
                parent=ask,
            )
            answered.append(p.email)
    truth["ask_asked"] = sorted(p.email for p in asked)
    truth["ask_answered"] = sorted(answered)

    # The public thread about the business, by people new to Sam.
    known = _known_to_owner(story.messages)
    strangers = sorted(
        (p for p in story.people if p.list_member and p.email not in known),
        key=lambda p: p.email,
    )
    talkers = rng.sample(strangers, min(THREAD_PEOPLE, len(strangers)))
    parent = None
    when = end - timedelta(days=THREAD_DAYS_BEFORE_END)
    for n, p in enumerate(talkers):
        body = (
            f"Has anyone here worked with {BUSINESS}? Thinking of them for our rebrand."
            if n == 0
            else f"Yes, {BUSINESS} did our shop signs. Careful, thoughtful people."
        )
        parent = story.emit(
            sender=p.sender,
            to=(LIST_ADDRESS,),
            cc=(),
            when=when + timedelta(hours=5 * n),
            subject=f"Anyone worked with {BUSINESS}?",
            body=f"{body}\n\n{p.first}\n",
            tag="list_post" if n == 0 else "list_reply",
            parent=parent,
            list_message=True,
        )
    truth["conversation_new_people"] = sorted(p.email for p in talkers)

    # Gap words: notes of praise from customers and fans, answered by Sam.
    fans = sorted(
        (
            p
            for p in story.people
            if p.role in ("customer", "fan") and _plain(p) and not p.list_member
        ),
        key=lambda p: p.email,
    )
    lo, hi = GAP_DAYS_BEFORE_END
    for n in range(min(GAP_NOTES, len(fans))):
        p = fans[n * len(fans) // GAP_NOTES]
        words = [GAP_WORDS[(n + k) % len(GAP_WORDS)] for k in range(GAP_WORDS_PER_NOTE)]
        note = story.emit(
            sender=p.sender,
            to=(OWNER,),
            cc=(),
            when=end - timedelta(days=rng.uniform(lo, hi)),
            subject="Thank you for the prints",
            body=(
                f"Hi Sam,\n\nThe prints arrived. Your work is so {words[0]}, "
                f"and the whole process felt {words[1]}. Everything about it is {words[2]}.\n\n"
                f"{p.first}\n"
            ),
            tag="gap_note",
            parent=None,
        )
        story.emit(
            sender=OWNER,
            to=(p.address,),
            cc=(),
            when=note.date + timedelta(hours=2),
            subject=note.subject,
            body=f"Thank you, {p.first}! So glad they arrived safely.\n\nSam\n",
            tag="gap_note_reply",
            parent=note,
        )
    return truth
