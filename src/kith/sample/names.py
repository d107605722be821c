"""Name, address and time-zone tables for the sample world.

Everything here is fixed data plus small pure helpers; the seeded generators
in ``world`` and ``scale`` pick from it. Names are grouped by region so that a
person's name, mail provider and time zone agree with each other.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone


@dataclass(frozen=True, slots=True)
class Zone:
    """A time zone reduced to what the sample needs: a standard offset and a DST rule.

    ``dst`` is ``"us"`` (second Sunday of March to first Sunday of November,
    02:00 local), ``"eu"`` (last Sunday of March to last Sunday of October,
    01:00 UTC) or ``None``. The rules are written out rather than read from
    the system's tz database so that the output is byte-identical everywhere.
    """

    name: str
    std_minutes: int
    dst: str | None = None


ZONES: dict[str, Zone] = {
    z.name: z
    for z in (
        Zone("America/New_York", -300, "us"),
        Zone("America/Chicago", -360, "us"),
        Zone("America/Los_Angeles", -480, "us"),
        Zone("America/Sao_Paulo", -180),
        Zone("America/Mexico_City", -360),
        Zone("Europe/London", 0, "eu"),
        Zone("Europe/Lisbon", 0, "eu"),
        Zone("Europe/Berlin", 60, "eu"),
        Zone("Europe/Paris", 60, "eu"),
        Zone("Europe/Madrid", 60, "eu"),
        Zone("Europe/Warsaw", 60, "eu"),
        Zone("Europe/Stockholm", 60, "eu"),
        Zone("Africa/Lagos", 60),
        Zone("Asia/Kolkata", 330),
        Zone("Asia/Singapore", 480),
        Zone("Asia/Tokyo", 540),
        Zone("Australia/Brisbane", 600),
    )
}

#: The owner lives in New York.
OWNER_ZONE = ZONES["America/New_York"]


def _nth_sunday(year: int, month: int, n: int) -> int:
    """Day of month of the n-th Sunday (n = -1: the last one)."""
    if n > 0:
        first = datetime(year, month, 1).weekday()
        return 1 + (6 - first) % 7 + 7 * (n - 1)
    nxt = datetime(year + (month == 12), month % 12 + 1, 1)
    last = nxt - timedelta(days=1)
    return last.day - (last.weekday() + 1) % 7


def dst_bounds(zone: Zone, year: int) -> tuple[datetime, datetime] | None:
    """When summer time starts and ends in ``year`` (naive UTC), or ``None`` without DST."""
    if zone.dst is None:
        return None
    if zone.dst == "eu":
        begin = datetime(year, 3, _nth_sunday(year, 3, -1), 1)
        finish = datetime(year, 10, _nth_sunday(year, 10, -1), 1)
    else:  # "us": 02:00 local standard time, i.e. 02:00 - offset in UTC
        shift = timedelta(minutes=-zone.std_minutes)
        begin = datetime(year, 3, _nth_sunday(year, 3, 2), 2) + shift
        finish = datetime(year, 11, _nth_sunday(year, 11, 1), 1) + shift
    return begin, finish


def offset_minutes(zone: Zone, when: datetime) -> int:
    """The UTC offset of ``zone`` at the aware instant ``when``, in minutes."""
    utc = when.astimezone(UTC).replace(tzinfo=None)
    bounds = dst_bounds(zone, utc.year)
    if bounds is not None and bounds[0] <= utc < bounds[1]:
        return zone.std_minutes + 60
    return zone.std_minutes


def to_local(zone: Zone, when: datetime) -> datetime:
    """``when`` as the wall-clock time in ``zone`` (a fixed-offset aware datetime)."""
    return when.astimezone(timezone(timedelta(minutes=offset_minutes(zone, when))))


@dataclass(frozen=True, slots=True)
class Region:
    """Names, providers and zones that belong together."""

    weight: float
    first: tuple[str, ...]
    last: tuple[str, ...]
    providers: tuple[str, ...]
    zones: tuple[str, ...]
    tld: str


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(","))


def _region(weight: float, first: str, last: str, providers: str, zones: str, tld: str) -> Region:
    return Region(weight, _split(first), _split(last), _split(providers), _split(zones), tld)


REGIONS: dict[str, Region] = {
    "us": _region(
        40,
        "Emma, Liam, Olivia, Noah, Ava, Ethan, Mia, Lucas, Harper, Mason, Ella, Logan, Grace, "
        "Caleb, Chloe, Owen, Nora, Wyatt, Hazel, Jack, Riley, Henry, Layla, Isaac, Aria, Dylan, "
        "Maya, Carter, Leah, Jordan, Megan, Tyler, Brooke, Marcus, Tasha, DeShawn, Keisha, Andre, "
        "Jasmine, Trevor",
        "Smith, Johnson, Brown, Miller, Davis, Wilson, Anderson, Taylor, Thomas, Moore, Martin, "
        "Jackson, Thompson, White, Harris, Clark, Lewis, Walker, Hall, Young, King, Wright, Scott, "
        "Green, Baker, Adams, Nelson, Hill, Campbell, Mitchell, Roberts, Turner, Parker, Collins, "
        "Edwards, Stewart, Morris, Murphy, Cook, Bailey",
        "gmail.com, outlook.com, icloud.com, yahoo.com, hey.com, fastmail.com",
        "America/New_York, America/Chicago, America/Los_Angeles",
        "com",
    ),
    "uk": _region(
        10,
        "Oliver, Amelia, George, Isla, Harry, Poppy, Alfie, Freya, Archie, Imogen, Rory, Niamh, "
        "Callum, Siobhan, Hamish, Eilidh",
        "Hughes, Evans, Wood, Price, Bennett, Shaw, Fletcher, Patel, McKenzie, O'Brien, Whitfield, "
        "Ashworth, Pemberton, Gallagher",
        "gmail.com, btinternet.com, outlook.com, fastmail.com",
        "Europe/London",
        "co.uk",
    ),
    "de": _region(
        5,
        "Lukas, Anna, Jonas, Lea, Felix, Zoë, Jürgen, Mareike, Björn, Käthe, Paul, Emil, Greta, "
        "Frieda, Max, Hannah",
        "Köhler, Müller, Schröder, Weiß, Hoffmann, Bauer, Krüger, Lange, Schmidt, Fischer, Wagner, "
        "Becker, Neumann, Wolf, Richter, Braun",
        "gmx.de, web.de, posteo.de, gmail.com",
        "Europe/Berlin",
        "de",
    ),
    "fr": _region(
        4,
        "Camille, Hélène, François, Léa, Théo, Chloé, Amélie, Benoît, Julien, Manon, Hugo, Claire, "
        "Louis, Margaux",
        "Lefèvre, Dubois, Moreau, Girard, Fontaine, Rousseau, Bérard, Martin, Bernard, Petit, "
        "Laurent, Simon, Michel",
        "orange.fr, free.fr, gmail.com, proton.me",
        "Europe/Paris",
        "fr",
    ),
    "es": _region(
        5,
        "José, María, Lucía, Álvaro, Inés, Sofía, Pablo, Ana María, Carlos, Elena, Diego, Carmen, "
        "Javier, Marta, Daniel, Laura",
        "Núñez, García, Fernández, López, Martín, Ruiz, Peña, Ibáñez, Torres, Navarro, Romero, "
        "Vega, Castro, Morales, Ortega, Delgado",
        "gmail.com, hotmail.es, proton.me",
        "Europe/Madrid, America/Mexico_City",
        "es",
    ),
    "br": _region(
        3,
        "João, Beatriz, Thiago, Larissa, Gabriel, Fernanda, Rafael, Bruno, Camila, Lucas, Juliana",
        "Silva, Lima, Gonçalves, Araújo, Costa, Ribeiro, Azevedo, Santos, Oliveira, Pereira, Rocha",
        "gmail.com, uol.com.br, outlook.com",
        "America/Sao_Paulo",
        "com.br",
    ),
    "in": _region(
        7,
        "Priya, Arjun, Ananya, Rohan, Kavya, Vikram, Isha, Aditya, Meera",
        "Sharma, Iyer, Nair, Reddy, Gupta, Menon, Banerjee, Kulkarni",
        "gmail.com, outlook.com, yahoo.co.in",
        "Asia/Kolkata",
        "in",
    ),
    "nordic": _region(
        2,
        "Søren, Astrid, Linnéa, Mikkel, Ingrid, Åsa, Henrik",
        "Ødegaard, Lindqvist, Johansson, Nyström, Berg, Åberg",
        "gmail.com, proton.me, outlook.com",
        "Europe/Stockholm",
        "se",
    ),
    "pl": _region(
        2,
        "Łukasz, Agnieszka, Paweł, Zofia, Krzysztof, Magda",
        "Wróbel, Nowak, Kowalczyk, Dąbrowski, Zieliński",
        "gmail.com, wp.pl, onet.pl",
        "Europe/Warsaw",
        "pl",
    ),
    "ng": _region(
        4,
        "Chidi, Ngozi, Tunde, Amaka, Femi, Adaeze, Emeka",
        "Okafor, Adeyemi, Balogun, Eze, Okonkwo, Nwosu",
        "gmail.com, yahoo.com, outlook.com",
        "Africa/Lagos",
        "ng",
    ),
    "jp": _region(
        3,
        "Haruto, Yui, Sota, Aoi, Ren, Hina",
        "Sato, Suzuki, Takahashi, Tanaka, Watanabe, Ito",
        "gmail.com, yahoo.co.jp, icloud.com",
        "Asia/Tokyo",
        "jp",
    ),
    "sg": _region(
        2,
        "Wei, Jia Hui, Darren, Mei Ling, Kai",
        "Tan, Lim, Ng, Goh, Chua",
        "gmail.com, singnet.com.sg",
        "Asia/Singapore",
        "sg",
    ),
    "au": _region(
        2,
        "Matilda, Cooper, Ruby, Banjo, Sienna",
        "Kelly, Nguyen, Campbell, Walsh, Doyle",
        "gmail.com, bigpond.com, outlook.com",
        "Australia/Brisbane",
        "com.au",
    ),
}

#: Two words make a small firm's domain: ``northlight`` + ``press``.
COMPANY_WORDS = _split(
    "north, bright, kestrel, copper, lantern, juniper, harbor, meadow, granite, saffron, tidal, "
    "ember, willow, cobalt, orchard, falcon"
)
COMPANY_SUFFIXES = _split(
    "light, print, works, lab, press, studio, supply, collective, media, craft, forge, partners"
)


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters of ``text`` for an address local part: ``Núñez`` -> ``nunez``."""
    special = {"ø": "o", "Ø": "o", "ł": "l", "Ł": "l", "ß": "ss", "æ": "ae", "å": "a"}
    text = "".join(special.get(c, c) for c in text)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed.lower() if c.isascii() and c.isalnum())
