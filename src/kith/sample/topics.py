"""Planted topics and needs: a few people who write about something nobody else
does, so that ``kith match`` can be checked to find them.

Each topic is given to ``PER_TOPIC`` people chosen by a random generator of
its own (seeded from the world's seed), so the rest of the world is the same
message for message with or without them. Their messages are tagged
``topic:<name>``; ``SampleWorld.truth["topic_<name>"]`` lists who wrote them,
and ``TOPICS[name].query`` is a question they answer (used by the tests).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kith.sample.entities import OWNER, SamplePerson

if TYPE_CHECKING:
    from kith.sample.story import Story

#: People who write about each topic.
PER_TOPIC = 2
#: Mixed into the world's seed for the topics' own generator.
SEED_SALT = 0x70C1C


@dataclass(frozen=True, slots=True)
class Topic:
    """A distinctive subject, a query it answers, and what its people write."""

    subject: str
    query: str
    bodies: tuple[str, ...]


TOPICS: dict[str, Topic] = {
    "beekeeping": Topic(
        "Honey from the roof",
        "who knows about beekeeping and honey bees?",
        (
            "We keep three beehives on the roof of the studio now. The bees made almost twenty "
            "kilos of honey this summer, and I am learning to spot varroa mites early.",
            "Spring inspection of the hives went well: the queen is laying and the colony is "
            "strong. Happy to show anyone how beekeeping works in a city.",
        ),
    ),
    "letterpress": Topic(
        "Printing on the old press",
        "letterpress printing for wedding invitations",
        (
            "I finally restored the 1920s Heidelberg platen press. Letterpress gives the "
            "wedding invitations that deep bite into cotton paper that clients love.",
            "This week I hand-set wood type and inked the platen for a run of letterpress "
            "posters. Movable type is slow, but the prints are worth it.",
        ),
    ),
    "translation": Topic(
        "Japanese version of our site",
        "translator for Japanese localization",
        (
            "Do you know a translator who could localize our website and app into Japanese? "
            "We launch in Tokyo in the spring and need native Japanese copy.",
            "We are still looking for help with Japanese localization: product pages, the "
            "onboarding emails and a few contracts need a professional translation.",
        ),
    ),
}


def plant_topics(story: Story, people: list[SamplePerson]) -> None:
    """Write the topics' messages into ``story``: each chosen person sends Sam
    one message per body, on their own thread, in the world's last months."""
    rng = random.Random(story.seed ^ SEED_SALT)
    # People with few messages of their own, so the topic is what they are about.
    pool = sorted(
        (p for p in people if not (p.rhythm or p.giver or p.list_member or p.newcomer)),
        key=lambda p: p.email,
    )
    chosen = rng.sample(pool, min(len(pool), PER_TOPIC * len(TOPICS)))
    for n, (name, topic) in enumerate(TOPICS.items()):
        for p in chosen[n * PER_TOPIC : (n + 1) * PER_TOPIC]:
            for i, body in enumerate(topic.bodies):
                when = story.end - timedelta(days=rng.uniform(20, 150) - 10 * i)
                _send(story, p, topic.subject, f"Hi Sam,\n\n{body}\n\n{p.first}\n", name, when)


def _send(
    story: Story, p: SamplePerson, subject: str, body: str, name: str, when: datetime
) -> None:
    story.emit(
        sender=p.sender,
        to=(OWNER,),
        cc=(),
        when=min(when, story.end),
        subject=subject,
        body=body,
        tag=f"topic:{name}",
        parent=None,
    )
