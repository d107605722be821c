"""Who is in Sam's world: the cast, with the pattern each person is planted with.

``Casting.cast`` makes everyone in a fixed order from the shared random
generator: the inner circle (weekly, one of them cooling), active
relationships (monthly, quarterly, cooling), givers, quarterly customers,
the Makers Guild, newcomers, people a giver will refer or introduce, and a
long tail of customers and fans. Counts scale with the number of people.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import chain

from kith.sample.entities import (
    COOLING_MAX_DAYS,
    COOLING_MIN_DAYS,
    COOLING_SLACK_DAYS,
    OWNER,
    OWNER_NEWS,
    PersonRole,
    Rhythm,
    SamplePerson,
    Tier,
)
from kith.sample.names import COMPANY_SUFFIXES, COMPANY_WORDS, REGIONS, Region, ascii_fold

_INNER_ROLES: tuple[PersonRole, ...] = (
    "staff",
    "advisor",
    "partner",
    "staff",
    "peer",
    "partner",
    "staff",
    "advisor",
)
_ROLE_WEIGHTS: dict[str, tuple[tuple[PersonRole, ...], tuple[int, ...]]] = {
    "active": (
        ("partner", "supplier", "peer", "customer", "advisor", "fan"),
        (15, 15, 25, 35, 5, 5),
    ),
    "long_tail": (("customer", "fan", "peer"), (50, 40, 10)),
    "giver": (("fan", "peer", "customer"), (45, 30, 25)),
    "list": (("fan", "peer"), (60, 40)),
    "new": (("customer", "fan", "peer"), (60, 25, 15)),
    "introduced": (("peer", "partner"), (60, 40)),
}


class Casting:
    """Makes the people of a world of ``n_people`` that ends at ``end``."""

    def __init__(self, rng: random.Random, n_people: int, end: datetime) -> None:
        self.rng = rng
        self.end = end
        self.n_people = n_people
        self.scale = n_people / 300
        self.people: list[SamplePerson] = []
        self.taken: set[str] = {email_key(OWNER.email), email_key(OWNER_NEWS.email)}
        self.companies: list[str] = []

    def count(self, base: float, minimum: int = 1) -> int:
        """``base`` people per 300, at least ``minimum``."""
        return max(minimum, round(base * self.scale))

    def make_person(
        self,
        tier: Tier,
        role: PersonRole,
        *,
        rhythm: Rhythm | None = None,
        cooling_after: datetime | None = None,
        giver: bool = False,
        thanked: bool = False,
        list_member: bool = False,
        newcomer: bool = False,
        referred: bool = False,
        introduced: bool = False,
    ) -> SamplePerson:
        rng = self.rng
        region_key = rng.choices(list(REGIONS), weights=[r.weight for r in REGIONS.values()])[0]
        region = REGIONS[region_key]
        name = f"{rng.choice(region.first)} {rng.choice(region.last)}"
        email = self.make_email(name, role, region)
        r = rng.random()
        first, _, last = name.partition(" ")
        if r < 0.05:
            display = ""
        elif r < 0.10:
            display = f"{last}, {first}"
        elif r < 0.13:
            display = name.lower()
        else:
            display = name
        reach = min(2_000_000, int(20 * rng.paretovariate(0.9)))
        html_only = rng.random() < (0.25 if role == "supplier" else 0.03)
        person = SamplePerson(
            id=f"p{len(self.people) + 1:04d}",
            name=name,
            email=email,
            role=role,
            tier=tier,
            reach=reach,
            zone=rng.choice(region.zones),
            display_name=display,
            html_only=html_only,
            rhythm=rhythm,
            giver=giver,
            thanked=thanked,
            cooling_after=cooling_after,
            newcomer=newcomer,
            list_member=list_member,
            referred=referred,
            introduced=introduced,
        )
        self.people.append(person)
        return person

    def make_email(self, name: str, role: PersonRole, region: Region) -> str:
        rng = self.rng
        first, _, last = name.partition(" ")
        f, la = ascii_fold(first), ascii_fold(last)
        if role == "staff":
            domain = "rivera.studio"
            locals_ = [f, f"{f}.{la}", f"{f[0]}{la}"]
        else:
            if role in ("partner", "supplier", "advisor"):
                if self.companies and rng.random() < 0.2:
                    domain = rng.choice(self.companies)
                else:
                    domain = f"{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_SUFFIXES)}"
                    domain += f".{rng.choice(('com', 'co', 'studio', region.tld))}"
                    self.companies.append(domain)
                locals_ = [f, f"{f}.{la}", f"{f[0]}{la}"]
            else:
                domain = rng.choice(region.providers)
                locals_ = [f"{f}.{la}", f"{f}{la}", f"{f}_{la}", f"{f}{rng.randrange(10, 99)}"]
            rng.shuffle(locals_)
        for local in chain(locals_, (f"{locals_[0]}{n}" for n in range(2, 1000))):
            email = f"{local}@{domain}"
            key = email_key(email)
            if key not in self.taken:
                self.taken.add(key)
                return email
        raise AssertionError("unreachable: 1000 suffixes tried")

    def cast(self) -> list[SamplePerson]:
        """Everyone, each with their planted pattern; the rest is the long tail."""
        rng = self.rng
        end = self.end

        def cooling_stop() -> datetime:
            # The last regular contact falls on ``stop - COOLING_SLACK_DAYS`` (give or take a
            # weekend), so the silence starts between COOLING_MIN_DAYS and COOLING_MAX_DAYS.
            back = rng.uniform(COOLING_MIN_DAYS + 2, COOLING_MAX_DAYS - COOLING_SLACK_DAYS - 2)
            return end - timedelta(days=back)

        n_inner = min(15, max(4, round(8 * self.scale)))
        for i in range(n_inner):
            role = _INNER_ROLES[i % len(_INNER_ROLES)]
            if i == n_inner - 1:
                self.make_person("inner", role, rhythm="weekly", cooling_after=cooling_stop())
            else:
                rhythm: Rhythm = "weekly" if i < n_inner * 0.7 else "monthly"
                self.make_person("inner", role, rhythm=rhythm)
        active = _ROLE_WEIGHTS["active"]
        plan: tuple[tuple[Rhythm, int], ...] = (("monthly", 22), ("quarterly", 18))
        for rhythm_, n in plan:
            for _ in range(self.count(n)):
                self.make_person("active", self.pick_role(active), rhythm=rhythm_)
        for _ in range(self.count(10)):
            self.make_person(
                "active", self.pick_role(active), rhythm="monthly", cooling_after=cooling_stop()
            )
        for i in range(self.count(12, minimum=3)):
            tier: Tier = "active" if i % 3 == 0 else "long_tail"
            self.make_person(
                tier, self.pick_role(_ROLE_WEIGHTS["giver"]), giver=True, thanked=i % 3 == 2
            )
        for _ in range(self.count(12)):
            self.make_person("long_tail", "customer", rhythm="quarterly")
        for _ in range(self.count(36)):
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["list"]), list_member=True)
        for _ in range(self.count(14)):
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["new"]), newcomer=True)
        for _ in range(self.count(18)):
            self.make_person("long_tail", "customer", referred=True)
        for _ in range(self.count(10)):
            self.make_person(
                "long_tail", self.pick_role(_ROLE_WEIGHTS["introduced"]), introduced=True
            )
        while len(self.people) < self.n_people:
            self.make_person("long_tail", self.pick_role(_ROLE_WEIGHTS["long_tail"]))
        # Some active peers are in the public circle too: ties between the two worlds.
        for i, p in enumerate(self.people):
            if p.role == "peer" and p.rhythm == "monthly" and p.cooling_after is None and i % 2:
                self.people[i] = replace(p, list_member=True)
        return self.people

    def pick_role(self, table: tuple[tuple[PersonRole, ...], tuple[int, ...]]) -> PersonRole:
        return self.rng.choices(table[0], weights=table[1])[0]


def email_key(email: str) -> str:
    """Addresses that a provider may treat as one (dots, underscores) share a key."""
    return email.lower().replace(".", "").replace("_", "")
