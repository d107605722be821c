"""The benchmarks' scale ledgers, written straight into the schema.

``LedgerWriter`` resolves duplicates, identities and threads per batch by
asking the ledger, which is right for imports and slow for building a
20M-interaction ledger (2–5k interactions/s at that size on this machine:
one to two hours). This writes the same rows for the sample
generator's stream (``scale.iter_scale_records``, bench/scale.py) at 15–25k
interactions/s, 20M in under half an hour on the shared machine:

- identities, people, threads and the list's circle are resolved once, in
  memory, by the writer's own rules (``kith.identity``: base addresses,
  name links at an organisation's domain; a reply joins its parent's thread);
- rows go in through ``executemany`` of tuples, ``BATCH`` records per
  transaction, with the secondary indexes dropped and built once at the end.

The stream is fresh, so no record is a duplicate. Threads are remembered by
the message's position in the stream (``Origin.position``), which the
scale Message-IDs begin with in hexadecimal: 8 bytes per message instead of a
dictionary of 20M strings. Small runs agree row for row with
``LedgerWriter`` (``python bench/scale_ledger.py --check``).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scale import iter_scale_records

from kith import identity as rules
from kith.model import IdentityRef, InteractionRecord, Role
from kith.sample.entities import OWNER
from kith.store import repository
from kith.store.db import open_store
from kith.store.writer import LedgerWriter
from kith.store.writer.identities import person_name  # the same names as the writer

#: Records per transaction.
BATCH = 200_000
_RECIPIENTS = (Role.TO, Role.CC, Role.BCC, Role.ATTENDEE)
_TABLES = ("person", "identity", "thread", "interaction", "participant")


def _position(mid: str) -> int:
    """The stream position a scale Message-ID starts with (``{i:x}.{tag}@host``)."""
    return int(mid.split(".", 1)[0], 16)


class _Builder:
    """Rows for one stream of records, resolved in memory; ``flush`` writes them."""

    def __init__(self, con: sqlite3.Connection, import_id: int, capacity: int) -> None:
        self.con = con
        self.import_id = import_id
        top = {
            t: int(con.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0])
            for t in ("person", "identity", "thread", "interaction", "circle")
        }
        self.next = top
        self.known: dict[tuple[str, str], tuple[int, int]] = {}
        self.me: set[int] = set()
        for iid, kind, value, pid, is_me in con.execute(
            "SELECT i.id, i.kind, i.value, i.person_id, p.is_me FROM identity i "
            "JOIN person p ON p.id = i.person_id"
        ):
            self.known[(kind, value)] = (iid, pid)
            if is_me:
                self.me.add(iid)
        self.by_link: dict[str, int] = {}
        for link, pid in con.execute(
            "SELECT i.link_key, i.person_id FROM identity i JOIN person p ON p.id = i.person_id "
            "WHERE NOT p.is_me AND i.link_key IS NOT NULL AND p.merged_into IS NULL "
            "ORDER BY i.id"
        ):
            self.by_link.setdefault(link, pid)
        self.circles: dict[str, int] = {}
        # Thread of the message at each stream position (0: none yet).
        self.thread_of = array("q", bytes(8 * capacity))
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _TABLES}
        self.circle_rows: list[tuple[Any, ...]] = []

    def _new_id(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]

    def _identity(self, ref: IdentityRef, at: int) -> tuple[int, int]:
        """A new identity (and person, unless an alias or a name link finds one)."""
        known = self.known
        alias_of: int | None = None
        pid: int | None = None
        if ref.kind == "email":
            base = rules.base_address(ref.value)
            if base != ref.value:
                got = known.get(("email", base)) or self._identity(IdentityRef("email", base), at)
                alias_of, pid = got
        link = rules.link_key(ref.kind, ref.value, ref.display_name)
        if pid is None and link:
            pid = self.by_link.get(link)
        if pid is None:
            pid = self._new_id("person")
            name = person_name(ref)
            self.rows["person"].append((pid, name, rules.name_key(name), False, at, self.import_id))
            if link:
                self.by_link[link] = pid
        iid = self._new_id("identity")
        self.rows["identity"].append(
            (iid, ref.kind, ref.value, ref.display_name, pid, alias_of, at, self.import_id, link)
        )
        known[(ref.kind, ref.value)] = (iid, pid)
        if alias_of is not None and alias_of in self.me:
            self.me.add(iid)
        return iid, pid

    def _thread(self, r: InteractionRecord, circle_id: int | None) -> int:
        thread_of = self.thread_of
        for ref in reversed(r.refs):
            tid = thread_of[_position(ref)]
            if tid:
                return tid
        tid = self._new_id("thread")
        root_key = r.refs[0] if r.refs else r.thread_key or r.source_id
        self.rows["thread"].append(
            (tid, r.source, root_key, r.subject, circle_id, r.occurred_at, self.import_id)
        )
        return tid

    def _circle(self, list_id: str, name: str | None) -> int:
        cid = self.circles.get(list_id)
        if cid is None:
            cid = self.circles[list_id] = self._new_id("circle")
            self.circle_rows.append(
                (cid, f"list:{list_id}", name or list_id, "public", self.import_id)
            )
        return cid

    def add(self, r: InteractionRecord) -> None:
        """One record's rows (the writer's ``_store`` with ``store_bodies=False``)."""
        known = self.known
        me = self.me
        rid = self._new_id("interaction")
        author_is_me = to_me = False
        seen: set[tuple[int, str]] = set()
        parts = self.rows["participant"]
        for p in r.participants:
            ref = p.identity
            got = known.get((ref.kind, ref.value)) or self._identity(ref, r.occurred_at)
            iid = got[0]
            if iid in me:
                if p.role is Role.FROM:
                    author_is_me = True
                elif p.role in _RECIPIENTS:
                    to_me = True
            key = (iid, p.role.value)
            if key not in seen:
                seen.add(key)
                parts.append((rid, iid, key[1]))
        direction = "out" if author_is_me else "in" if to_me else "among"
        circle_id = self._circle(r.list_id, r.list_name) if r.list_id else None
        tid = self._thread(r, circle_id)
        position = r.origin.position
        if _position(r.source_id) != position:
            raise ValueError(f"not a scale Message-ID at position {position}: {r.source_id}")
        self.thread_of[position] = tid
        self.rows["interaction"].append(
            (
                rid,
                r.source,
                r.source_id,
                r.channel.value,
                r.kind.value,
                direction,
                r.occurred_at,
                r.tz_offset_min,
                r.date_quality.value,
                tid,
                r.refs[-1] if r.refs else None,
                r.is_reply,
                r.subject,
                None,
                circle_id,
                self.import_id,
                r.origin.file,
                r.origin.position,
                None,
            )
        )

    def flush(self) -> None:
        """Write the rows gathered so far, in one transaction."""
        con = self.con
        con.execute("BEGIN")
        con.executemany(
            "INSERT INTO circle (id, key, name, visibility, import_id) VALUES (?, ?, ?, ?, ?)",
            self.circle_rows,
        )
        columns = {
            "person": "id, name, name_key, is_me, created_at, import_id",
            "identity": "id, kind, value, display_name, person_id, alias_of, first_seen, "
            "import_id, link_key",
            "thread": "id, source, root_key, subject, circle_id, started_at, import_id",
            "interaction": "id, source, source_id, channel, kind, direction, occurred_at, "
            "tz_offset_min, date_quality, thread_id, parent_ref, is_reply, subject, body, "
            "circle_id, import_id, origin_file, origin_position, extra",
            "participant": "interaction_id, identity_id, role",
        }
        for table in _TABLES:
            cols = columns[table]
            marks = ", ".join("?" * (cols.count(",") + 1))
            con.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", self.rows[table])
            self.rows[table].clear()
        self.circle_rows.clear()
        con.execute("COMMIT")


def write_records(
    path: Path,
    records: Iterable[InteractionRecord],
    capacity: int,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add ``records`` (a fresh scale stream of at most ``capacity`` records) to
    the ledger at ``path`` as one import run; returns how many were stored."""
    engine = open_store(f"sqlite:///{path}")
    writer = LedgerWriter(engine, importer="bench", path="sample:scale", now=0, store_bodies=False)
    import_id = writer.start()
    engine.dispose()
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({', '.join(repr(t) for t in _TABLES)})"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    builder = _Builder(con, import_id, capacity)
    done = 0
    for record in records:
        builder.add(record)
        done += 1
        if done % BATCH == 0:
            builder.flush()
            if progress is not None:
                progress(done)
    builder.flush()
    for _, sql in indexes:
        con.execute(sql)
    con.execute(
        "UPDATE import_run SET imported = ?, status = 'done', finished_at = 0 WHERE id = ?",
        (done, import_id),
    )
    con.execute("PRAGMA journal_mode=WAL")
    con.close()
    return done


def build(path: Path, people: int, interactions: int, *, seed: int = 5, me: bool = True) -> None:
    """The scale ledger of ``people`` and ``interactions`` at ``path``, written under a
    temporary name and renamed when whole; with ``me``, Sam (the sample world's
    owner) is me, which decides every direction."""
    partial = path.with_suffix(".partial")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    if me:
        engine = open_store(f"sqlite:///{partial}")
        repository.add_me(engine, "email", OWNER.email, name=OWNER.name, now=0)
        engine.dispose()
    started = time.perf_counter()

    def progress(done: int) -> None:
        if done % 1_000_000 == 0:
            rate = done / (time.perf_counter() - started)
            print(f"  {done:,} interactions stored ({rate:,.0f}/s)", flush=True)

    records = iter_scale_records(people, interactions, seed=seed)
    write_records(partial, records, interactions, progress=progress)
    partial.rename(path)
    print(f"built in {time.perf_counter() - started:,.0f}s", flush=True)


def _dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f"SELECT * FROM {t} ORDER BY 1, 2, 3").fetchall()
            for t in (*_TABLES, "circle")
        }
    finally:
        con.close()


def check(people: int, interactions: int) -> None:
    """Build a small ledger both ways (this module, ``LedgerWriter``) and compare every row."""
    with tempfile.TemporaryDirectory() as tmp:
        fast = Path(tmp) / "fast.db"
        slow = Path(tmp) / "slow.db"
        build(fast, people, interactions)
        engine = open_store(f"sqlite:///{slow}")
        repository.add_me(engine, "email", OWNER.email, name=OWNER.name, now=0)
        writer = LedgerWriter(
            engine, importer="bench", path="sample:scale", now=0, store_bodies=False
        )
        writer.start()
        batch: list[InteractionRecord] = []
        for record in iter_scale_records(people, interactions, seed=5):
            batch.append(record)
            if len(batch) == 20_000:
                writer.write(batch)
                batch = []
        writer.write(batch)
        writer.finish("done", 0)
        engine.dispose()
        a, b = _dump(fast), _dump(slow)
        for table in a:
            if a[table] != b[table]:
                diff = (
                    next((x, y) for x, y in zip(a[table], b[table], strict=False) if x != y)
                    if len(a[table]) == len(b[table])
                    else (len(a[table]), len(b[table]))
                )
                raise SystemExit(f"{table} differs: {diff}")
            print(f"{table}: {len(a[table]):,} rows, the same")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=20_000)
    ap.add_argument("--interactions", type=int, default=100_000)
    ap.add_argument("--check", action="store_true", help="Compare with LedgerWriter's rows.")
    args = ap.parse_args()
    if args.check:
        check(args.people, args.interactions)


if __name__ == "__main__":
    main()
