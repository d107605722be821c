"""How well does kith recognise introductions in e-mail (``kith.store.gives``)?

For each mailbox of ``../shared/data/email/enron-mini`` (owner: the mailbox's
holder) and for the sample world (seed 7, whose truth lists the people
referred and introduced), imports the mail into a fresh ledger and counts, over
the same inbound messages, what each stage of the rule keeps:

- the shape alone (a first message to me bringing in someone never seen
  before), with any number of recipients;
- the shape with at most ``MAX_RECIPIENTS`` people in To and Cc;
- the shape, the cap and the words (``CUE``): what the importer marks ``intro``.

For the sample world it also prints the people the marked messages brought
in, against the world's truth (precision and recall).

Run: ``.venv/bin/python bench/bench_introductions.py``
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from kith.config import Settings
from kith.importing import import_paths
from kith.signals.intro import says_introduction
from kith.store import repository
from kith.store.db import open_store
from kith.store.gives import MAX_RECIPIENTS, shaped_like_introductions
from kith.store.sql import Db

ROOT = Path(__file__).resolve().parents[1]
ENRON = ROOT.parent / "shared" / "data" / "email" / "enron-mini"
OWNERS = {
    "allen-p": "phillip.allen@enron.com",
    "arnold-j": "john.arnold@enron.com",
    "arora-h": "harry.arora@enron.com",
    "badeer-r": "robert.badeer@enron.com",
}
NOW = 2_000_000_000


def stages(engine) -> tuple[int, int, int, int, int]:
    """(messages, inbound, shape alone, shape + cap, shape + cap + words) over every run."""
    with engine.begin() as conn:
        db = Db.of(conn)
        # What the importer marked goes back to a plain message, so that every
        # stage counts the same messages.
        db.execute("UPDATE interaction SET kind = 'message' WHERE kind = 'intro'").close()
        total, inbound = db.first(
            "SELECT COUNT(*), COUNT(CASE WHEN direction = 'in' THEN 1 END) FROM interaction"
        ) or (0, 0)
        alone = capped = marked = 0
        for run, lo, hi in db.rows(
            "SELECT import_id, MIN(id), MAX(id) FROM interaction GROUP BY import_id"
        ):
            span = {"run": int(run), "lo": int(lo), "hi": int(hi)}
            alone += len(shaped_like_introductions(db, **span, most=10**9))
            shaped = shaped_like_introductions(db, **span)
            capped += len(shaped)
            marked += sum(says_introduction(s, b) for _, s, b in shaped)
    return int(total), int(inbound), alone, capped, marked


def enron(folder: Path, owner: str, work: Path) -> tuple[int, int, int, int, int]:
    url = f"sqlite:///{work / (folder.name + '.db')}"
    engine = open_store(url)
    repository.add_me(engine, "email", owner, name=None, now=0)
    import_paths(engine, [folder], Settings(database_url=url), now=NOW)
    found = stages(engine)
    engine.dispose()
    return found


def sample_world(work: Path) -> None:
    from kith.demo import build_demo

    result = build_demo(work / "demo", today=False)
    truth = json.loads((work / "demo" / "truth.json").read_text(encoding="utf-8"))
    brought = set(truth["patterns"]["referred"]) | set(truth["patterns"]["introduced"])
    with result.engine.connect() as conn:
        found = {
            str(v)
            for (v,) in Db.of(conn).rows(
                "SELECT DISTINCT idn.value FROM interaction i"
                " JOIN participant pa ON pa.interaction_id = i.id AND pa.role IN ('to', 'cc')"
                " JOIN identity idn ON idn.id = pa.identity_id"
                " JOIN person p ON p.id = idn.person_id"
                " WHERE i.kind = 'intro' AND NOT p.is_me"
            )
        }
    row = stages(result.engine)
    result.engine.dispose()
    right = len(found & brought)
    print(f"{'sample world (seed 7)':<24} " + "  ".join(f"{n:>9,}" for n in row))
    print(
        f"\nsample world: {len(found)} people brought in by the marked messages, "
        f"{len(brought)} in the truth; precision {right / max(len(found), 1):.2f}, "
        f"recall {right / max(len(brought), 1):.2f}"
    )


def main() -> None:
    if not ENRON.is_dir():
        sys.exit(f"{ENRON} is missing (the project's shared data)")
    print(
        f"{'mailbox':<24} {'messages':>9}  {'inbound':>9}  {'shape':>9}  "
        f"{'+ cap ' + str(MAX_RECIPIENTS):>9}  {'+ words':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, owner in OWNERS.items():
            row = enron(ENRON / name, owner, work)
            print(f"{'enron ' + name:<24} " + "  ".join(f"{n:>9,}" for n in row))
        sample_world(work)


if __name__ == "__main__":
    main()
