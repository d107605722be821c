"""Is the daily queue fair over a quarter? A simulation on the sample world.

The sample world (``kith.sample``, seed 7, 300 people) is cut ``--days``
days before its end. Everything up to the cut is imported into a fresh
ledger; then each simulated day

1. the world's mail *to* Sam that day arrives (replayed from the world's
   own messages, in its own threads; Sam's own mail after the cut is not
   replayed: kith stands in for Sam);
2. the analytics are refreshed as of the end of the day (incremental);
3. `kith today` makes the day's list within a fixed budget (``--budget``);
4. Sam does every item on it (`kith done`: a contact recorded as a note).

Then it reports, from the world's truth and kith's own records:

- **response rate and median first-response time by reach decile**: of the
  asks the world marks as needing a reply (``needs_reply``) that arrived
  after the cut and at least ``MAX_WAIT_DAYS + 1`` days before the end, the
  share Sam answered (a reply item for that person done after the ask) and
  the median days to it. Reach (``people.json``) is follower-like, heavy
  tailed, and never shown to kith: these should be flat across deciles (the
  Spearman correlation of reach and days to an answer, over the asks, with
  a permutation test);
- the same from kith's own reply items, by reach decile
  (``kith.attention.audit``, as `kith audit attention` prints);
- the longest wait of any due item before it was listed, against
  ``MAX_WAIT_DAYS``; budget use; the Gini of minutes per person.

Run: ``.venv/bin/python bench/simulate_attention.py [--days 90] [--budget 30]``
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from kith.analytics.refresh import refresh
from kith.attention import actions
from kith.attention.audit import measure
from kith.attention.scheduler import MAX_WAIT_DAYS
from kith.attention.settings import TodaySettings
from kith.attention.today import end_of, plan_day
from kith.config import Settings
from kith.importing import import_paths
from kith.sample.mbox import write_truth
from kith.sample.render import mbox_entry, render_message
from kith.sample.world import SampleMessage, generate_world
from kith.store import attention as store
from kith.store import repository
from kith.store.db import open_store

DAY = 86_400


def write_mbox(messages: list[SampleMessage], path: Path) -> Path:
    with path.open("wb") as out:
        for msg in messages:
            out.write(mbox_entry(msg.sender.email, msg.date, render_message(msg)))
    return path


def deciles(reach: dict[str, int]) -> dict[str, int]:
    """email → reach decile (0 = least reach … 9 = most), by rank."""
    ranked = sorted(reach, key=lambda e: (reach[e], e))
    return {e: min(9, i * 10 // len(ranked)) for i, e in enumerate(ranked)}


def spearman(xs: list[float], ys: list[float]) -> float | None:
    """Rank correlation (no ties expected in deciles; ties in ys share the mean rank)."""
    if len(xs) < 3:
        return None

    def ranks(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r

    rx, ry = ranks(xs), ranks(ys)
    mx, my = statistics.fmean(rx), statistics.fmean(ry)
    num = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    den = (sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry)) ** 0.5
    return num / den if den else None


def permutation_p(pairs: list[tuple[float, float]], rho: float | None, rounds: int = 2000) -> float:
    """Two-sided: the share of shuffles of the second column whose |Spearman| is at least |rho|."""
    if rho is None:
        return float("nan")
    rng = random.Random(0)
    xs = [a for a, _ in pairs]
    ys = [b for _, b in pairs]
    hits = 0
    for _ in range(rounds):
        rng.shuffle(ys)
        r = spearman(xs, ys)
        if r is not None and abs(r) >= abs(rho) - 1e-12:
            hits += 1
    return hits / rounds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--people", type=int, default=300)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--budget", type=int, default=30, help="Minutes a day.")
    ap.add_argument("--workspace", type=Path, default=None)
    ap.add_argument("--json", dest="json_out", type=Path, help="Also write the figures here.")
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    folder = args.workspace or Path(tempfile.mkdtemp(prefix="kith-sim-"))
    folder.mkdir(parents=True, exist_ok=True)

    world = generate_world(seed=args.seed, people=args.people)
    write_truth(world, folder)
    reach = {p.email: p.reach for p in world.people}
    decile_of_email = deciles(reach)
    first_day = world.end.date() - timedelta(days=args.days - 1)
    cut = end_of(first_day - timedelta(days=1))
    days = [first_day + timedelta(days=n) for n in range(args.days)]

    db = folder / "kith.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    (folder / "kith.analytics.duckdb").unlink(missing_ok=True)
    url = f"sqlite:///{db}"
    engine = open_store(url)
    for address in (world.owner, *world.owner_aliases):
        repository.add_me(engine, "email", address.email, name=world.owner.name, now=cut)
    settings = Settings(database_url=url)
    before = [m for m in world.messages if m.date.timestamp() <= cut]
    import_paths(engine, [write_mbox(before, folder / "before.mbox")], settings, now=cut)
    later = [m for m in world.messages if m.date.timestamp() > cut and m.direction != "out"]
    arrivals: dict[date, list[SampleMessage]] = {}
    for m in later:
        arrivals.setdefault(m.date.astimezone(UTC).date(), []).append(m)

    today_settings = TodaySettings(budget=args.budget)
    mail = folder / "days"
    mail.mkdir(exist_ok=True)
    done_at: dict[int, list[int]] = {}  # person id → times a reply item was done
    for day in days:
        now = end_of(day)
        todays = arrivals.get(day, [])
        if todays:
            path = write_mbox(todays, mail / f"{day.isoformat()}.mbox")
            import_paths(engine, [path], settings, now=now)
        refresh(engine, now=now)
        plan = plan_day(engine, now, today_settings)
        for item in plan.items:
            actions.done(engine, item.id, now=now, minutes=today_settings.minutes)
            if item.kind == "reply":
                done_at.setdefault(item.person_id, []).append(now)
    seconds = time.perf_counter() - started

    with engine.connect() as conn:
        person_of_email = {}
        for p in world.people:
            row = conn.exec_driver_sql(
                "SELECT person_id FROM identity WHERE kind = 'email' AND value = ?", (p.email,)
            ).first()
            if row is not None:
                person_of_email[p.email] = int(row[0])
        items = store.all_items(conn)
        acts = store.actions(conn)
        planned = store.days(conn)
    engine.dispose()
    decile_of_person = {
        pid: f"reach d{decile_of_email[e] + 1}" for e, pid in person_of_email.items()
    }
    groups = [f"reach d{n}" for n in range(1, 11)]
    audit = measure(items, acts, planned, group_of=decile_of_person, groups=groups)

    # The world's own asks after the cut, answered or not.
    horizon = end_of(days[-1]) - (MAX_WAIT_DAYS + 1) * DAY
    asks: dict[int, list[tuple[int, float | None]]] = {n: [] for n in range(10)}
    reach_of: dict[tuple[int, int], int] = {}
    for m in later:
        if not m.needs_reply or m.sender.email not in person_of_email:
            continue
        t = int(m.date.timestamp())
        if t > horizon:
            continue
        pid = person_of_email[m.sender.email]
        answered = [a for a in done_at.get(pid, []) if a >= t]
        delay = (min(answered) - t) / DAY if answered else None
        asks[decile_of_email[m.sender.email]].append((t, delay))
        reach_of[(decile_of_email[m.sender.email], t)] = reach[m.sender.email]

    print(
        f"Sample world seed {args.seed}, {args.people} people; {args.days} days from "
        f"{first_day} to {days[-1]}, {args.budget} minutes a day; simulated in {seconds:.0f}s"
    )
    print(f"{len(later):,} messages arrived after the cut; {len(items)} items found due.")
    print("")
    print("The world's asks (needs_reply), arrived by", datetime.fromtimestamp(horizon, UTC).date())
    print(f"{'decile':<8} {'asks':>5} {'answered':>9} {'rate':>6} {'median days':>12}")
    rates, medians, figures = [], [], {}
    for n in range(10):
        rows = asks[n]
        answered = [d for _, d in rows if d is not None]
        rate = len(answered) / len(rows) if rows else None
        med = statistics.median(answered) if answered else None
        figures[f"d{n + 1}"] = {"asks": len(rows), "answered": len(answered), "rate": rate,
                                "median_days": med}  # fmt: skip
        if rate is not None:
            rates.append((n, rate))
        if med is not None:
            medians.append((n, med))
        print(
            f"d{n + 1:<7} {len(rows):>5} {len(answered):>9} "
            f"{'-' if rate is None else f'{100 * rate:.0f}%':>6} "
            f"{'-' if med is None else f'{med:.1f}':>12}"
        )
    all_rows = [d for n in range(10) for _, d in asks[n]]
    all_answered = [d for d in all_rows if d is not None]
    print(
        f"{'all':<8} {len(all_rows):>5} {len(all_answered):>9} "
        f"{100 * len(all_answered) / max(1, len(all_rows)):>5.0f}% "
        f"{statistics.median(all_answered) if all_answered else float('nan'):>12.1f}"
    )
    spread = max(r for _, r in rates) - min(r for _, r in rates) if rates else None
    # Over the asks themselves (not ten medians of a few asks each): does reach
    # go with the days to an answer? A permutation test says how often chance
    # alone gives a correlation as strong.
    pairs = [(float(reach_of[(n, t)]), d) for n in range(10) for t, d in asks[n] if d is not None]
    rho = spearman([a for a, _ in pairs], [b for _, b in pairs])
    p_value = permutation_p(pairs, rho)
    # Lists are made once a day, at its end: the days between the ask's day and
    # the answer's take out when in the day the ask came (time zones differ).
    whole = [
        (float(reach_of[(n, t)]), float(int((t + d * DAY) // DAY) - int(t // DAY)))
        for n in range(10)
        for t, d in asks[n]
        if d is not None
    ]
    rho_days = spearman([a for a, _ in whole], [b for _, b in whole])
    p_days = permutation_p(whole, rho_days)
    print(
        f"flatness: answer rates spread over {'-' if spread is None else f'{100 * spread:.0f}'} "
        f"points; Spearman(reach, days to answer) over {len(pairs)} asks "
        f"{'-' if rho is None else f'{rho:+.2f}'} (permutation p = {p_value:.2f}); "
        f"in whole days after the ask's day {'-' if rho_days is None else f'{rho_days:+.2f}'} "
        f"(p = {p_days:.2f})"
    )
    print("")
    print("kith's own records (as `kith audit attention` measures them), by reach decile:")
    from kith.cli.today import print_audit

    print_audit(audit, group_label="decile")
    result = {
        "seed": args.seed,
        "people": args.people,
        "days": args.days,
        "budget": args.budget,
        "seconds": seconds,
        "asks_by_decile": figures,
        "spearman_reach_days": rho,
        "permutation_p": p_value,
        "spearman_reach_whole_days": rho_days,
        "permutation_p_whole_days": p_days,
        "rate_spread": spread,
        "audit": audit.as_dict(),
        "workspace": str(folder),
    }
    if args.json_out:
        args.json_out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nledger and mail in {folder}")


if __name__ == "__main__":
    main()
