"""Three real ledgers and their 60-minute days, for judging by the written rubric.

The acceptance check of `kith today` on real data (docs/acceptance.md): build,
as a new user would with the CLI, the ledgers of

- **enron**: Phillip Allen's Enron mailbox (``email/enron-mini/allen-p``),
  `kith init --me phillip.allen@enron.com`, his other addresses added as kith
  offers them, the day 2001-06-01;
- **apache**: an Apache list member, Jukka Zitting, on the jackrabbit-dev list
  of January 2012 (``email/apache/jackrabbit-dev-201201.mbox``), the day
  2012-02-01;
- **x**: the X archive's owner (``formats/twitter``; the archive says whose it
  is), the day after its last record;

then plan each one's day with `kith today --minutes 60 --date D --json` (and,
for more items to judge, the days in ``earlier``: the figures refreshed as of
each day, the mail after it not read) and write every item (kind, person,
reason, draft) to ``OUT/<ledger>.json`` and one sheet to judge,
``OUT/days.md``. Judgements go in ``--judged FILE`` (a TSV: ledger, day, item
kind, person, person_ok, reason_ok, draft_ok, note); with it, the sheet carries
them and the pass rate is printed, for the main days and for all: an item
passes when all three marks are ``y``. Items not in the file count as not
judged, never as passed.

Run: ``.venv/bin/python bench/accept_days.py --out bench/.cache/accept
[--judged bench/acceptance.tsv]``. The corpora are found at
``$KITH_SHARED_DATA`` (default ``../shared/data``).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KITH_SHARED_DATA") or ROOT.parent / "shared" / "data")
KITH = str(Path(sys.executable).parent / "kith")
MINUTES = 60
MARKS = ("person_ok", "reason_ok", "draft_ok")


@dataclass(frozen=True)
class Ledger:
    name: str
    who: str
    source: str
    me: tuple[str, ...]
    my_name: str | None
    day: str | None  # None: the day after the ledger's last record
    #: Earlier days planned too, on the same ledger.
    earlier: tuple[str, ...] = ()


LEDGERS = (
    Ledger(
        "enron",
        "Phillip Allen's Enron mailbox",
        "email/enron-mini/allen-p",
        ("phillip.allen@enron.com",),
        "Phillip Allen",
        "2001-06-01",
        ("2000-12-20", "2001-03-01", "2001-05-15"),
    ),
    Ledger(
        "apache",
        "Jukka Zitting on jackrabbit-dev, January 2012",
        "email/apache/jackrabbit-dev-201201.mbox",
        ("jukka.zitting@gmail.com",),
        "Jukka Zitting",
        "2012-02-01",
        ("2012-01-18", "2012-01-25"),
    ),
    Ledger(
        "x",
        "the X archive's owner",
        "formats/twitter",
        (),
        None,
        None,
        ("2026-01-20", "2026-02-01", "2026-02-15"),
    ),
)


def kith(db: str, *args: str, said: bool = False) -> str:
    """Run the kith CLI on ledger ``db``, as a user does; its standard output
    (with ``said``, what it told the user on standard error after it)."""
    done = subprocess.run(
        [KITH, "--db", db, *args], capture_output=True, text=True, check=False, timeout=900
    )
    if done.returncode != 0:
        raise SystemExit(f"kith {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout + (done.stderr if said else "")


def offered_identities(output: str) -> list[str]:
    """The addresses kith's "These look like you" offer names (the user says yes)."""
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("kith me add "):
            return line.removeprefix("kith me add ").split()
    return []


def last_day(db_path: Path) -> str:
    """The day after the ledger's last interaction, YYYY-MM-DD."""
    import sqlite3
    from datetime import UTC, datetime, timedelta

    with sqlite3.connect(db_path) as conn:
        (last,) = conn.execute("SELECT MAX(occurred_at) FROM interaction").fetchone()
    return (datetime.fromtimestamp(last, UTC) + timedelta(days=1)).strftime("%Y-%m-%d")


def build(ledger: Ledger, out: Path) -> list[dict[str, Any]]:
    """Build one ledger from scratch and plan its days (the main one first);
    each day's JSON, with context."""
    path = out / f"{ledger.name}.db"
    path.unlink(missing_ok=True)
    db = f"sqlite:///{path}"
    init = ["init", *[a for me in ledger.me for a in ("--me", me)]]
    if ledger.my_name:
        init += ["--name", ledger.my_name]
    kith(db, *init)
    said = kith(db, "import", str(SHARED / ledger.source), said=True)
    offered = offered_identities(said)
    if offered:
        kith(db, "me", "add", *offered)
    days = []
    for day in (ledger.day or last_day(path), *ledger.earlier):
        kith(db, "analytics", "refresh", "--full", "--now", day)
        plan = json.loads(kith(db, "today", "--minutes", str(MINUTES), "--date", day, "--json"))
        days.append(
            {"ledger": ledger.name, "who": ledger.who, "day": day, "added": offered, **plan}
        )
    days[0]["main"] = True
    return days


Key = tuple[str, str, str, str]  # ledger, day, kind, person


def judgements(path: Path | None) -> dict[Key, dict[str, str]]:
    if path is None:
        return {}
    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return {(r["ledger"], r["day"], r["kind"], r["person"]): r for r in rows}


def first_line(draft: str | None) -> str:
    lines = [line for line in (draft or "").splitlines() if line.strip()]
    body = [line for line in lines[1:] if not line.startswith(("Best", "["))]
    return (lines[0] + " " + (body[0] if body else "")).strip() if lines else ""


def sheet(days: list[dict[str, Any]], judged: dict[Key, dict[str, str]]) -> str:
    """The days as one Markdown sheet: each item with its marks, where judged."""
    out = ["# kith today on three real ledgers: the items to judge", ""]
    for d in days:
        main = " (the main day)" if d.get("main") else ""
        out += [f"## {d['ledger']}: {d['who']}, {d['day']}{main}, {MINUTES} minutes", ""]
        if d["added"] and d.get("main"):
            out += [f"My other addresses, as offered: {', '.join(d['added'])}.", ""]
        out += ["| # | kind | person | reason | draft opens | person · reason · draft |"]
        out += ["|---|---|---|---|---|---|"]
        for n, item in enumerate(d["items"], 1):
            j = judged.get((d["ledger"], d["day"], item["kind"], item["person"]))
            marks = " · ".join(j[k] for k in MARKS) if j else ""
            if j and j.get("note"):
                marks += f" ({j['note']})"
            draft = first_line(item.get("draft"))
            cells = [str(n), item["kind"], item["person"], item["reason"], draft]
            cells.append(marks or "not judged")
            row = " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells)
            out.append(f"| {row} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / ".cache" / "accept")
    parser.add_argument("--judged", type=Path, help="TSV of judgements (see the module's text)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"real corpora not found at {SHARED}; set KITH_SHARED_DATA")
    args.out.mkdir(parents=True, exist_ok=True)
    days = []
    for ledger in LEDGERS:
        planned = build(ledger, args.out)
        (args.out / f"{ledger.name}.json").write_text(
            json.dumps(planned, indent=2), encoding="utf-8"
        )
        days += planned
        for day in planned:
            kinds: dict[str, int] = {}
            for item in day["items"]:
                kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
            print(f"{ledger.name} {day['day']}: {len(day['items'])} items {kinds}")
    judged = judgements(args.judged)
    (args.out / "days.md").write_text(sheet(days, judged), encoding="utf-8")
    print(f"sheet: {args.out / 'days.md'}")
    if judged:
        for label, chosen in (
            ("the main days", [d for d in days if d.get("main")]),
            ("all days", days),
        ):
            items = [
                (d["ledger"], d["day"], i["kind"], i["person"]) for d in chosen for i in d["items"]
            ]
            marked = [judged[k] for k in items if k in judged]
            passed = sum(all(j[k] == "y" for k in MARKS) for j in marked)
            print(
                f"{label}: judged {len(marked)} of {len(items)} items; passed {passed} "
                f"({100 * passed / max(len(items), 1):.0f}% of all items)"
            )


if __name__ == "__main__":
    main()
