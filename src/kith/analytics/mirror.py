"""The analytics mirror: a DuckDB file holding the ledger's columns the
features need, kept in step with the ledger by appending what is new.

Why a mirror: reading a 20M-interaction SQLite ledger into DuckDB takes far
longer than computing on it (bench/bench_analytics.py prints both), so it is
read once and then appended to: new interactions by id (ids only grow), new
people and identities by id. An incremental refresh then reads only the
rows imported since, and a full recompute (new settings, a merge) reads
nothing from the ledger but the person and identity tables.

The mirror is a cache: it can be deleted at any time. ``token`` pairs it
with one ledger (the ledger's ``analytics_state`` row holds the same token),
so a rebuilt or replaced ledger is never mixed with an old mirror; when my
identities change (directions are recomputed in the ledger) the mirror is
rebuilt from the ledger.

Where it lives: beside a SQLite ledger (``kith.db`` → ``kith.analytics.duckdb``);
for PostgreSQL under ``$XDG_DATA_HOME/kith/analytics/``, named by a hash of the
URL; an in-memory SQLite ledger gets an in-memory mirror.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine, text

from kith.analytics.definition import LOG
from kith.analytics.ledger import read_batches, read_bodies, sqlite_path
from kith.config import data_home
from kith.errors import KithError
from kith.files import PRIVATE_FILE, private_folder
from kith.signals import valence

log = logging.getLogger(__name__)

#: DuckDB's memory cap for the mirror's work; past it DuckDB spills to disk.
MEMORY_LIMIT = "2GB"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS m_interaction (
  id BIGINT, source_key BIGINT, parent_key BIGINT, channel VARCHAR, kind VARCHAR,
  direction VARCHAR, occurred_at BIGINT, thread_id BIGINT, is_public BOOLEAN,
  sentiment DOUBLE);
CREATE TABLE IF NOT EXISTS m_participant (interaction_id BIGINT, identity_id BIGINT, role VARCHAR);
CREATE TABLE IF NOT EXISTS m_identity (id BIGINT, person_id BIGINT);
CREATE TABLE IF NOT EXISTS m_person (id BIGINT, is_me BOOLEAN, merged_into BIGINT);
CREATE TABLE IF NOT EXISTS m_circle (id BIGINT, visibility VARCHAR);
CREATE TABLE IF NOT EXISTS m_state (
  token VARCHAR, last_interaction_id BIGINT, last_identity_id BIGINT, last_person_id BIGINT,
  merges VARCHAR, me VARCHAR);
"""
_TABLES = ("m_interaction", "m_participant", "m_identity", "m_person", "m_circle", "m_state")
#: Tables an older version kept in the mirror (reply links and their state,
#: for a compiled full run since retired); dropped with the rest when such a
#: mirror is met.
_RETIRED = ("m_reply", "m_reply_state")
_RAW = {
    "interaction": "id, source_key, parent_key, channel, kind, direction, occurred_at, "
    "thread_id, is_public, sentiment",
    "participant": "interaction_id, identity_id, role",
    "identity": "id, person_id",
    "person": "id, is_me, merged_into",
}

_INSERT = {
    "interaction": """
INSERT INTO m_interaction
SELECT b.id,
  CAST(hash(b.source, b.source_id) >> 1 AS BIGINT),
  CASE WHEN b.parent_ref = '' THEN NULL
       ELSE CAST(hash(b.source, b.parent_ref) >> 1 AS BIGINT) END,
  b.channel, b.kind, b.direction, b.occurred_at, b.thread_id,
  COALESCE(c.visibility = 'public', FALSE)
    OR COALESCE(json_extract_string(NULLIF(b.extra, ''), '$.visibility') = 'public', FALSE)
    AS is_public,
  b.sentiment
FROM batches b LEFT JOIN m_circle c ON c.id = b.circle_id""",
    "participant": "INSERT INTO m_participant "
    "SELECT interaction_id, identity_id, role FROM batches",
    "identity": "INSERT INTO m_identity SELECT id, person_id FROM batches",
    "person": "INSERT INTO m_person SELECT id, is_me = 1, merged_into FROM batches",
    "circle": "INSERT INTO m_circle SELECT id, visibility FROM batches",
}


@dataclass(frozen=True, slots=True)
class LedgerFacts:
    """What decides whether the mirror (and the stored rows) are still current."""

    last_interaction_id: int
    last_identity_id: int
    last_person_id: int
    #: The newest merge and how many were undone: a merge moves identities.
    merges: str
    #: My identities: they decide every interaction's direction.
    me: str

    @property
    def fingerprint(self) -> str:
        return f"merges={self.merges};me={self.me}"


@dataclass(frozen=True, slots=True)
class MirrorState:
    token: str
    last_interaction_id: int
    last_identity_id: int
    last_person_id: int
    merges: str
    me: str


def ledger_facts(engine: Engine) -> LedgerFacts:
    with engine.connect() as conn:
        top = conn.execute(
            text(
                "SELECT (SELECT MAX(id) FROM interaction), (SELECT MAX(id) FROM identity), "
                "(SELECT MAX(id) FROM person)"
            )
        ).one()
        merges = conn.execute(
            text("SELECT MAX(id), COUNT(undone_at) FROM merge"),
        ).one()
        mine = conn.execute(
            # By the person_id index: a join would scan every identity.
            text(
                "SELECT id FROM identity WHERE person_id IN "
                "(SELECT id FROM person WHERE is_me = :yes) ORDER BY id"
            ),
            {"yes": True},
        ).all()
    me = hashlib.sha1(" ".join(str(r[0]) for r in mine).encode()).hexdigest()[:16]
    return LedgerFacts(
        int(top[0] or 0), int(top[1] or 0), int(top[2] or 0), f"{merges[0] or 0}/{merges[1]}", me
    )


def default_path(engine: Engine) -> Path | None:
    """Where the mirror of ``engine``'s ledger lives (None: in memory)."""
    path = sqlite_path(engine)
    if path is not None:
        return path.with_name(f"{path.stem}.analytics.duckdb")
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return None
    key = hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:16]
    return data_home() / "analytics" / f"{key}.duckdb"


def connect(path: Path | None, *, memory_limit: str = MEMORY_LIMIT) -> Any:
    """A DuckDB connection to the mirror at ``path`` (in memory for None)."""
    import duckdb

    database = ":memory:"
    if path is not None:
        private_folder(path.parent)
        database = str(path)
    try:
        con = duckdb.connect(database)
        if path is not None:
            os.chmod(path, PRIVATE_FILE)  # DuckDB creates it under the umask
    except duckdb.IOException as exc:
        raise KithError(
            f"the analytics mirror is in use: {exc}",
            where=database,
            hint="another kith analytics refresh is running; try again when it ends",
        ) from None
    con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    # DuckDB draws a progress bar on standard output for long queries, which
    # would break ``--json`` output; kith shows its own progress.
    con.execute("SET enable_progress_bar = false")
    if path is not None:
        # a string literal: DuckDB's SET takes no parameters (and a folder may hold a quote)
        spill = str(path.with_suffix(".tmp")).replace("'", "''")
        con.execute(f"SET temp_directory = '{spill}'")
    if _outdated(con):
        # A mirror written by another version: it is a cache, so start it anew
        # (the next sync reads the whole ledger, and the refresh is a full one).
        log.info("analytics mirror: written by another version, rebuilding it")
        for name in (*_TABLES, "m_log", *_RETIRED):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    con.execute(_SCHEMA)
    return con


_COLUMNS = """
SELECT table_name, column_name, data_type FROM duckdb_columns()
WHERE schema_name = 'main' AND database_name = current_database() AND table_name IN ({})"""


@lru_cache(maxsize=1)
def _schema_columns() -> frozenset[tuple[str, str, str]]:
    """The columns of this version's mirror tables (``_SCHEMA`` made in memory)."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        con.execute(_SCHEMA)
        names = ", ".join(f"'{t}'" for t in _TABLES)
        return frozenset(tuple(r) for r in con.execute(_COLUMNS.format(names)).fetchall())
    finally:
        con.close()


def _outdated(con: Any) -> bool:
    """Whether the mirror was written by another version: its tables' columns
    are not this version's, or it keeps a table this version does not."""
    names = ", ".join(f"'{t}'" for t in (*_TABLES, *_RETIRED))
    rows = con.execute(_COLUMNS.format(names)).fetchall()
    if not rows:
        return False
    return frozenset(tuple(r) for r in rows) != _schema_columns()


def first_row(con: Any, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of ``sql``, the result read to its end (DuckDB refuses a
    relation on a connection with a result left half read)."""
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def state(con: Any) -> MirrorState | None:
    row = first_row(con, "SELECT * FROM m_state")
    if row is None:
        return None
    return MirrorState(str(row[0]), int(row[1]), int(row[2]), int(row[3]), str(row[4]), str(row[5]))


def _save_state(con: Any, token: str, facts: LedgerFacts) -> None:
    con.execute("DELETE FROM m_state")
    con.execute(
        "INSERT INTO m_state VALUES (?, ?, ?, ?, ?, ?)",
        [
            token,
            facts.last_interaction_id,
            facts.last_identity_id,
            facts.last_person_id,
            facts.merges,
            facts.me,
        ],
    )


#: Called with how many of the interactions being read are done, and how many there are.
Progress = Callable[[int, int], None]


def _with_sentiment(
    engine: Engine,
    reader: pa.RecordBatchReader,
    known: pa.Table | None,
    ahead: Mapping[valence.Key, float | None] | None,
    progress: Progress | None,
    total: int,
    prefixes: bool,
) -> pa.RecordBatchReader:
    """Interaction batches with ``body`` replaced by its valence
    (``kith.signals.valence``): taken from ``known`` (id, sentiment) when the
    body was scored before, from ``ahead`` (``kith.signals.valence.Key``)
    when it was scored as it was imported, else scored now. With
    ``prefixes`` the reader holds only the keys' start of each body, and the
    bodies with no score are read whole here."""
    names = [n for n in reader.schema.names if n != "body"]
    schema = pa.schema([*(reader.schema.field(n) for n in names), ("sentiment", pa.float64())])

    def batches() -> Iterator[pa.RecordBatch]:
        with valence.Scorer() as scorer:
            yield from scored(scorer)

    def scored(scorer: valence.Scorer) -> Iterator[pa.RecordBatch]:
        done = 0
        for batch in reader:
            bodies = batch.column("body")
            todo = pc.fill_null(pc.greater(pc.utf8_length(bodies), 0), False)
            scores: list[float | None] = [None] * len(batch)
            if known is not None and known.num_rows:
                at = pc.index_in(batch.column("id"), value_set=known.column("id"))
                scores = pc.take(known.column("sentiment"), at).to_pylist()
                todo = pc.and_(todo, pc.is_null(at))
            where = pc.indices_nonzero(todo)
            if ahead:
                keys = zip(
                    pc.take(batch.column("source"), where).to_pylist(),
                    pc.take(batch.column("source_id"), where).to_pylist(),
                    (hash(b[: valence.KEY_CHARS]) for b in pc.take(bodies, where).to_pylist()),
                    strict=True,
                )
                left = []
                for i, key in zip(where.to_pylist(), keys, strict=True):
                    if key in ahead:
                        scores[i] = ahead[key]
                    else:
                        left.append(i)
                where = pa.array(left, pa.int64())
            if prefixes:
                # Only the keys' prefixes were read: the whole window of a
                # body with no score ahead is read now.
                ids = pc.take(batch.column("id"), where).to_pylist()
                found = read_bodies(engine, ids) if ids else {}
                texts = [found.get(i, "") for i in ids]
            else:
                texts = pc.take(bodies, where).to_pylist()
            start = done + len(batch) - len(texts)

            def heard(scored: int, _all: int, start: int = start) -> None:
                if progress is not None:
                    progress(start + scored, total)

            for i, score in zip(where.to_pylist(), scorer.score(texts, heard), strict=True):
                scores[i] = score
            done += len(batch)
            if progress is not None:
                progress(done, total)
            yield pa.RecordBatch.from_arrays(
                [*(batch.column(n) for n in names), pa.array(scores, pa.float64())], schema=schema
            )

    return pa.RecordBatchReader.from_batches(schema, batches())


def _load(
    con: Any,
    engine: Engine,
    table: str,
    lo: int,
    hi: int,
    *,
    known: pa.Table | None = None,
    ahead: Mapping[valence.Key, float | None] | None = None,
    progress: Progress | None = None,
) -> None:
    if hi <= lo:
        return
    # Where the scores ahead cover most of what is read (the refresh after an
    # import), read only the start of each body, to find its score by; else
    # (a rebuild of a big ledger after a small import) read bodies in stream.
    prefixes = ahead is not None and len(ahead) * 2 >= hi - lo
    chars = valence.KEY_CHARS if prefixes else valence.READ_CHARS
    with read_batches(engine, table, lo, hi, body_chars=chars) as reader:
        stream = (
            _with_sentiment(engine, reader, known, ahead, progress, hi - lo, prefixes)
            if table == "interaction"
            else reader
        )
        con.register("batches", stream)
        try:
            con.execute(_INSERT[table])
        finally:
            con.unregister("batches")


def raw_views(con: Any, lo: int | None = None, hi: int | None = None) -> None:
    """The definition's raw inputs as temporary views of the mirror; with ``lo``
    and ``hi``, only interactions (and their participants) with ids in ``(lo, hi]``."""
    for name, cols in _RAW.items():
        where = ""
        if lo is not None and hi is not None and name in ("interaction", "participant"):
            key = "id" if name == "interaction" else "interaction_id"
            where = f" WHERE {key} > {int(lo)} AND {key} <= {int(hi)}"
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT {cols} FROM m_{name}{where}")


def drop_raw_views(con: Any) -> None:
    for name in _RAW:
        con.execute(f"DROP VIEW IF EXISTS temp.main.{name}")


def _has_table(con: Any, name: str) -> bool:
    row = first_row(
        con, "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    )
    return bool(row and row[0])


def _has_log(con: Any) -> bool:
    return _has_table(con, "m_log")


def _extend_log(con: Any, lo: int | None, hi: int | None) -> None:
    """Run the definition's ``LOG`` step over interactions in ``(lo, hi]`` (all for
    None) and add the rows to ``m_log``."""
    raw_views(con, lo, hi)
    try:
        if _has_log(con):
            con.execute(f"INSERT INTO m_log {LOG.sql}")
        else:
            con.execute(f"CREATE TABLE m_log AS {LOG.sql}")
    finally:
        drop_raw_views(con)


def sync(
    con: Any,
    engine: Engine,
    token: str,
    facts: LedgerFacts,
    progress: Progress | None = None,
    ahead: Mapping[valence.Key, float | None] | None = None,
) -> tuple[bool, MirrorState | None]:
    """Bring the mirror up to ``facts``; returns whether it was (re)built from
    scratch, and its state before.

    Appends what is new when the mirror belongs to this ledger (same token)
    and my identities are unchanged; after a merge, people and identities are
    read again whole and the log is recomputed. Anything else rebuilds it;
    a rebuild for the same ledger keeps the valences already scored (bodies
    never change), and so does one for bodies scored ``ahead`` (as an
    import read them, ``kith.signals.valence.Key``). ``progress`` hears how far the
    interactions' reading is.
    """
    current = state(con)
    fresh = (
        current is None
        or current.token != token
        or current.me != facts.me
        or current.last_interaction_id > facts.last_interaction_id
        or not _has_log(con)
    )
    con.execute("BEGIN TRANSACTION")
    try:
        relog = fresh
        known = None
        if fresh:
            log.info("analytics mirror: reading the whole ledger")
            if current is not None and current.token == token:
                known = con.sql(
                    "SELECT id, sentiment FROM m_interaction WHERE sentiment IS NOT NULL"
                ).to_arrow_table()
            for name in _TABLES:
                con.execute(f"DELETE FROM {name}")
            since = MirrorState(token, 0, 0, 0, "", "")
        else:
            assert current is not None
            since = current
            con.execute("DELETE FROM m_circle")
            if current.merges != facts.merges:
                con.execute("DELETE FROM m_identity")
                con.execute("DELETE FROM m_person")
                since = MirrorState(token, current.last_interaction_id, 0, 0, "", "")
                relog = True
        _load(con, engine, "circle", 0, 2**62)
        _load(con, engine, "person", since.last_person_id, facts.last_person_id)
        _load(con, engine, "identity", since.last_identity_id, facts.last_identity_id)
        _load(
            con,
            engine,
            "interaction",
            since.last_interaction_id,
            facts.last_interaction_id,
            known=known,
            ahead=ahead,
            progress=progress,
        )
        _load(con, engine, "participant", since.last_interaction_id, facts.last_interaction_id)
        if relog:
            con.execute("DROP TABLE IF EXISTS m_log")
            _extend_log(con, None, None)
        elif facts.last_interaction_id > since.last_interaction_id:
            _extend_log(con, since.last_interaction_id, facts.last_interaction_id)
        _save_state(con, token, facts)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return fresh, current


def remove(engine: Engine) -> None:
    """Delete the mirror of ``engine``'s ledger (it is a cache): after a
    restore, a forget or a deleted import it describes a ledger that is gone."""
    path = default_path(engine)
    if path is not None:
        for name in (path, path.with_name(path.name + ".wal")):
            name.unlink(missing_ok=True)
