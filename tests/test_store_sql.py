"""kith.store.sql: named-parameter SQL on the bare driver, both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from kith.store.sql import Db, open_db


def test_lists_expand_and_quotes_and_percent_signs_survive(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, label VARCHAR(20))"))
        db = Db.of(conn)
        db.executemany(
            "INSERT INTO t (id, label) VALUES (:id, :label)",
            [{"id": n, "label": f"{n}%: :x"} for n in range(1, 6)],
        )
        assert db.rows("SELECT id FROM t WHERE id IN :ids ORDER BY id", {"ids": [2, 4, 9]}) == [
            (2,),
            (4,),
        ]
        assert db.rows("SELECT id FROM t WHERE id IN :ids", {"ids": []}) == []
        # A ':name' or '%' inside a string literal is text, not a parameter.
        got = db.scalar("SELECT COUNT(*) FROM t WHERE label LIKE '%: :x' AND id > :low", {"low": 3})
        assert got == 2
        assert db.dicts("SELECT id, label FROM t WHERE id = :id", {"id": 1}) == [
            {"id": 1, "label": "1%: :x"}
        ]
        assert db.first("SELECT id FROM t WHERE id = :id", {"id": 99}) is None


def test_open_db_needs_a_ready_ledger(db_url, engine, tmp_path):
    # The engine fixture created and migrated the ledger: the driver path opens it.
    with open_db(db_url, write=True) as db:
        assert db is not None
        db.execute(
            "INSERT INTO circle (id, key, name, visibility) VALUES (1, 'k1', 'c', :v)",
            {"v": "public"},
        ).close()
    with open_db(db_url) as db:
        assert db is not None
        assert db.scalar("SELECT name FROM circle WHERE id = :id", {"id": 1}) == "c"
    # A missing file is not created behind the caller's back.
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    with open_db(missing) as db:
        assert db is None
    assert not (tmp_path / "none.db").exists()


def test_open_db_rolls_back_on_error(db_url, engine):
    with pytest.raises(RuntimeError), open_db(db_url, write=True) as db:
        assert db is not None
        db.execute(
            "INSERT INTO circle (id, key, name, visibility) VALUES (2, 'k2', 'x', :v)",
            {"v": "private"},
        ).close()
        raise RuntimeError("stop")
    with open_db(db_url) as db:
        assert db is not None
        assert db.scalar("SELECT COUNT(*) FROM circle WHERE id = 2") == 0
