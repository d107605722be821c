"""An import killed with SIGKILL half-way leaves a consistent ledger, and a
second run completes it with the right counts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.scale import write_scale_mbox
from kith.store import repository
from kith.store.schema import import_run, interaction, participant

KITH = Path(sys.executable).with_name("kith")
MESSAGES = 30_000


def test_killed_import_is_consistent_and_resumable(db_url, engine, tmp_path):
    mbox = tmp_path / "big.mbox"
    write_scale_mbox(mbox, 2_000, MESSAGES, seed=3)
    env = {**os.environ, "KITH_IMPORT_BATCH_SIZE": "1000"}
    proc = subprocess.Popen(
        [str(KITH), "--db", db_url, "import", "-q", str(mbox)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                done = conn.execute(select(func.coalesce(func.sum(import_run.c.imported), 0)))
                if done.scalar_one() >= 3_000:
                    break
            assert proc.poll() is None, "the import finished before it could be killed"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()

    with engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(interaction)).scalar_one()
        counted = conn.execute(select(func.sum(import_run.c.imported))).scalar_one()
        orphans = conn.execute(
            select(func.count())
            .select_from(interaction)
            .where(~interaction.c.id.in_(select(participant.c.interaction_id)))
        ).scalar_one()
        status = conn.execute(select(import_run.c.status)).scalar_one()
    assert 0 < stored < MESSAGES
    assert stored == counted  # the run's counters committed with its rows
    assert orphans == 0  # no interaction without its participants
    assert status == "running"  # it never finished
    listed = subprocess.run(
        [str(KITH), "--db", db_url, "imports", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [r["status"] for r in json.loads(listed.stdout)] == ["interrupted"]

    again = subprocess.run(
        [str(KITH), "--db", db_url, "import", "-q", str(mbox)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"{MESSAGES - stored:,} imported, {stored:,} duplicates" in again.stdout
    assert repository.stats(engine)["interactions"] == MESSAGES
