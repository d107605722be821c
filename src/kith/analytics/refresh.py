"""``kith analytics refresh``: bring the ``relationship`` and ``tie`` rows up to date.

What ``now`` means for stored rows: every row is computed *as of* a ``now``,
stored in its ``computed_at``; interactions after it are left out. An
incremental refresh recomputes only the people (and pairs) that something
new touches, so rows of different ``computed_at`` live side by side: each is
exact as of its own ``computed_at``, and a reader ages it to its own ``now``
with ``kith.analytics.read.age`` — exact for the decayed counts (a decayed sum
ages by one factor when nothing new happened) and for silence and cooling
(kept as raw times). "Something new" is an interaction imported since the
last refresh (id above ``last_interaction_id``) or one that happened between
the last ``now`` and this one, and every interaction in the same threads.

A full recompute happens when there are no stored results, when the
settings (the half-life) changed, when people were merged or unmerged, when
my identities changed, when ``now`` is earlier than the last one, or when
asked (``--full``).

Both engines run the same definition (``kith.analytics.definition``):
DuckDB over the mirror, for every refresh by default; Spark (``spark=``,
``kith analytics refresh --engine spark``) over a Parquet export of the
mirror, always for everyone. Either way the rows come back to the ledger
through ``kith.analytics.writeback``, so a later DuckDB refresh goes on
incrementally from a Spark one.
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Engine

from kith.analytics import duck, mirror, writeback
from kith.analytics.settings import AnalyticsSettings
from kith.signals import valence

log = logging.getLogger(__name__)

#: Sentinel for ``refresh(mirror_path=...)``: the mirror's default place.
DEFAULT = Path("<default>")
#: The master of a Spark run when none is named: two local cores.
SPARK_MASTER = "local[2]"


@dataclass(frozen=True, slots=True)
class SparkRun:
    """Where a refresh computes on Spark: the ``master`` URL, and the folder
    for the Parquet export of the inputs (None: a temporary folder, removed
    after; on a cluster, a folder every executor can read)."""

    master: str = SPARK_MASTER
    folder: Path | None = None


@dataclass(slots=True)
class RefreshResult:
    """What a refresh did: ``mode`` is full, incremental or unchanged."""

    mode: str
    now: int
    people: int = 0
    relationships: int = 0
    ties: int = 0
    last_interaction_id: int = 0
    mirror_rebuilt: bool = False
    reason: str = ""
    engine: str = "duckdb"
    seconds: dict[str, float] = field(default_factory=dict)


def refresh(
    engine: Engine,
    *,
    now: int,
    settings: AnalyticsSettings | None = None,
    full: bool = False,
    mirror_path: Path | None = DEFAULT,
    spark: SparkRun | None = None,
    clock: Callable[[], float] = time.perf_counter,
    progress: mirror.Progress | None = None,
    ahead: Mapping[valence.Key, float | None] | None = None,
) -> RefreshResult:
    """Recompute what changed since the last refresh (all of it when needed).

    ``mirror_path``: where the DuckDB mirror lives (default: beside a SQLite
    ledger, see ``kith.analytics.mirror``); None keeps it in memory (every
    refresh then reads the whole ledger). ``progress`` hears how far the
    reading of new interactions (and the scoring of their valence) is: the
    long part of a refresh after a big import; ``ahead`` holds valences
    scored as the import read the bodies (``kith.signals.valence.Ahead``).
    ``spark``: compute everyone on Spark instead of DuckDB (a full refresh;
    see ``SparkRun``).
    """
    settings = settings or AnalyticsSettings()
    if spark is not None:
        from kith.analytics.spark import require

        require()  # before any work, when the extra is missing
    seconds: dict[str, float] = {}
    started = clock()
    stored = writeback.stored_state(engine)
    facts = mirror.ledger_facts(engine)
    path = mirror.default_path(engine) if mirror_path is DEFAULT else mirror_path
    token = stored.token if stored is not None else uuid.uuid4().hex
    con = mirror.connect(path)
    reason = ""
    try:
        rebuilt, before = mirror.sync(con, engine, token, facts, progress, ahead)
        seconds["load"] = clock() - started
        reason = _full_reason(stored, facts, settings, now, full, rebuilt)
        if spark is not None:
            result = RefreshResult(
                "full",
                now,
                last_interaction_id=facts.last_interaction_id,
                mirror_rebuilt=rebuilt,
                reason=reason or "computed on Spark",
                engine="spark",
            )
            state = _state(token, now, facts, settings, "full")
            seconds.update(_on_spark(con, engine, spark, settings, state, result, clock))
            return _done(result, seconds, started, clock)
        if (
            not reason
            and stored is not None
            and before is not None
            and before.last_interaction_id != stored.last_interaction_id
        ):
            reason = "the last refresh did not finish"
        result = RefreshResult(
            "full" if reason else "incremental",
            now,
            last_interaction_id=facts.last_interaction_id,
            mirror_rebuilt=rebuilt,
            reason=reason,
        )
        step = clock()
        if reason:
            duck.full_inputs(con)
        else:
            assert stored is not None and before is not None
            people = duck.touched_people(
                con, stored.last_interaction_id, stored.computed_at, now, before.last_person_id
            )
            if not people:
                new_state = _state(token, now, facts, settings, "unchanged")
                writeback.save_state(engine, new_state, now)
                result.mode = "unchanged"
                result.seconds = {**seconds, "total": clock() - started}
                return result
            duck.scoped_inputs(con, people)
        result.people = int((mirror.first_row(con, "SELECT COUNT(*) FROM target") or (0,))[0])
        seconds["scope"] = clock() - step
        step = clock()
        duck.run(con, now, settings.half_life_days)
        seconds["compute"] = clock() - step
        step = clock()
        readers: dict[str, Callable[[], Any]] = {
            "relationship": lambda: duck.result_reader(con, "relationship"),
            "tie": lambda: duck.result_reader(con, "tie"),
        }
        counts = writeback.write(
            engine,
            readers,
            replace_all=bool(reason),
            state=_state(token, now, facts, settings, result.mode),
            finished_at=now,
            row_count=duck.result_rows(con),
        )
        seconds["write"] = clock() - step
        result.relationships = counts["relationship"]
        result.ties = counts["tie"]
        duck.drop_inputs(con)
    finally:
        con.close()
    return _done(result, seconds, started, clock)


def _done(
    result: RefreshResult, seconds: dict[str, float], started: float, clock: Callable[[], float]
) -> RefreshResult:
    seconds["total"] = clock() - started
    result.seconds = seconds
    log.info(
        "analytics %s on %s: %d relationships, %d ties in %.1fs",
        result.mode,
        result.engine,
        result.relationships,
        result.ties,
        seconds["total"],
    )
    return result


def _on_spark(
    con: Any,
    engine: Engine,
    run: SparkRun,
    settings: AnalyticsSettings,
    state: writeback.StoredState,
    result: RefreshResult,
    clock: Callable[[], float],
) -> dict[str, float]:
    """Export the synced mirror's inputs as Parquet, compute every row on
    Spark, and write them back as a full DuckDB refresh would; fills in
    ``result``'s counts and returns seconds per phase."""
    from kith.analytics import spark

    seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kith-spark-") as scratch:
        folder = run.folder if run.folder is not None else Path(scratch)
        step = clock()
        spark.export_parquet(con, folder)
        seconds["export"] = clock() - step
        step = clock()
        with spark.session(run.master) as session:
            tables = spark.compute(session, folder, result.now, settings.half_life_days)
        seconds["compute"] = clock() - step
    step = clock()
    counts = writeback.write(
        engine,
        {name: _reader(table) for name, table in tables.items()},
        replace_all=True,
        state=state,
        finished_at=result.now,
        row_count=sum(table.num_rows for table in tables.values()),
    )
    seconds["write"] = clock() - step
    result.people = tables["relationship"].num_rows
    result.relationships = counts["relationship"]
    result.ties = counts["tie"]
    return seconds


def _reader(table: pa.Table) -> Callable[[], pa.RecordBatchReader]:
    return lambda: pa.RecordBatchReader.from_batches(table.schema, table.to_batches(65_536))


def _full_reason(
    stored: writeback.StoredState | None,
    facts: mirror.LedgerFacts,
    settings: AnalyticsSettings,
    now: int,
    full: bool,
    rebuilt: bool,
) -> str:
    """Why this refresh must recompute everything ('' when it need not)."""
    if full:
        return "asked for"
    if stored is None:
        return "no results stored yet"
    if stored.settings != settings.as_json():
        return "the settings changed"
    if stored.fingerprint != facts.fingerprint:
        return "people were merged or my identities changed"
    if now < stored.computed_at:
        return "now is earlier than the last refresh"
    if rebuilt:
        return "the analytics mirror was rebuilt"
    return ""


def _state(
    token: str,
    now: int,
    facts: mirror.LedgerFacts,
    settings: AnalyticsSettings,
    mode: str,
) -> writeback.StoredState:
    return writeback.StoredState(
        token, now, facts.last_interaction_id, facts.fingerprint, settings.as_json(), mode
    )


def as_dict(result: RefreshResult) -> dict[str, Any]:
    return asdict(result)
