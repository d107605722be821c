"""The purchases CSV importer: one small export per preset and per edge case
in ``tests/data/purchases`` (expected records beside each in ``<name>.json``;
regenerate with ``KITH_REGEN_GOLDEN=1`` and review the diff).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kith.errors import ConfigError, InputError
from kith.ingest.base import ImportOptions
from kith.ingest.purchases import PRESETS, PurchasesImporter, parse_amount, parse_when
from kith.ingest.testing import check_importer, extract
from kith.model import Channel, Kind, Role, Skipped
from tests.formats_support import (
    DATA,
    OPS,
    apply_ops,
    extract_mutated,
    run_cli,
)

CASES = DATA / "purchases"
CASE_FILES = sorted(CASES.glob("*.csv"))
IMPORTER = PurchasesImporter()
#: The options each case is read with (``kith import -o KEY=VALUE``).
PARAMS: dict[str, dict[str, str]] = {
    "custom_mapping.csv": {
        "col.order_id": "Bestellnummer",
        "col.name": "Kunde",
        "col.email": "E-Mail",
        "col.amount": "Betrag",
        "col.date": "Datum",
        "col.referred_by": "Empfohlen von",
        "date_format": "%d.%m.%Y",
        "currency": "EUR",
        "shop": "laden",
    }
}


def read(path: Path, **params: str) -> list:
    options = ImportOptions(params=params or PARAMS.get(path.name, {}))
    return extract(IMPORTER, path, options)


def summary(records: list) -> list[tuple]:
    out = []
    for r in records:
        if isinstance(r, Skipped):
            out.append(("skipped", r.reason))
        else:
            out.append((r.kind.value, r.source_id, r.author.value, r.extra.get("amount")))
    return out


@pytest.mark.parametrize("case", CASE_FILES, ids=[p.name for p in CASE_FILES])
def test_case_matches_its_golden_file(case: Path) -> None:
    check_importer(IMPORTER, case, ImportOptions(params=PARAMS.get(case.name, {})))


def test_shopify_orders_line_items_statuses_and_referrals() -> None:
    records = read(CASES / "shopify.csv")
    assert summary(records) == [
        ("purchase", "shopify:#1001", "ana@example.org", "12.50"),
        ("purchase", "shopify:#1002", "ben@example.net", "42.90"),  # its 2nd line item passed over
        ("referral", "shopify:#1002/referral", "ana@example.org", None),
        # #1003 was voided
        ("purchase", "shopify:#1004", "dana@example.org", "1250.00"),
    ]
    purchase, referral = records[1], records[2]
    assert (purchase.channel, purchase.kind) == (Channel.PURCHASE, Kind.PURCHASE)
    assert purchase.extra == {"amount": "42.90", "currency": "EUR", "order_id": "#1002"}
    assert (purchase.occurred_at, purchase.tz_offset_min) == (1709366350, 60)
    assert purchase.author is not None and purchase.author.display_name == "Ben Okafor"
    assert (referral.channel, referral.kind, referral.occurred_at) == (
        Channel.REFERRAL,
        Kind.REFERRAL,
        purchase.occurred_at,
    )
    assert [(p.role, p.identity.value) for p in referral.participants] == [
        (Role.FROM, "ana@example.org"),
        (Role.TO, "ben@example.net"),
    ]
    assert records[3].extra["referred_by_name"] == "Ben from the market"


def test_woocommerce_and_stripe_presets() -> None:
    assert summary(read(CASES / "woocommerce.csv")) == [
        ("purchase", "woocommerce:2001", "eli@example.org", "30.00"),
        ("purchase", "woocommerce:2002", "fay@example.org", "15.5"),
        ("referral", "woocommerce:2002/referral", "eli@example.org", None),
        ("purchase", "woocommerce:2004", "hana@example.org", "7.20"),
    ]
    stripe = read(CASES / "stripe.csv")
    assert summary(stripe) == [
        ("purchase", "stripe:ch_3Oa1", "ivy@example.org", "250.00"),
        ("purchase", "stripe:ch_3Oa3", "kai@example.org", "80.00"),
    ]
    assert [r.extra["currency"] for r in stripe] == ["USD", "EUR"]


def test_generic_rows_without_order_ids_get_stable_hashes() -> None:
    records = read(CASES / "generic.csv")
    ids = [r.source_id for r in records]
    assert ids[0].startswith("generic:sha1:") and ids[1] == ids[0] + "/2"  # the same order twice
    assert ids[3] == ids[2] + "/referral"
    assert records[4].extra == {"amount": "12.00", "referred_by_name": "Lea from the workshop"}
    assert read(CASES / "generic.csv") == records


def test_explicit_columns_semicolons_and_european_numbers() -> None:
    records = read(CASES / "custom_mapping.csv")
    assert summary(records) == [
        ("purchase", "laden:A-17", "olga@example.ru", "1234.50"),
        ("purchase", "laden:A-18", "paul@example.de", "12.00"),
        ("referral", "laden:A-18/referral", "olga@example.ru", None),
    ]
    assert [r.extra.get("currency") for r in records[:2]] == ["EUR", "EUR"]
    assert not IMPORTER.identify(CASES / "custom_mapping.csv")  # only with --format


def test_bad_rows_are_skipped_with_their_line_and_the_others_read() -> None:
    assert summary(read(CASES / "bad_rows.csv")) == [
        ("purchase", "generic:o-1", "quinn@example.org", "10.00"),
        ("skipped", "line 3: amount 'ten euros' is not a number"),
        ("skipped", "line 4: no customer e-mail"),
        ("skipped", "line 5: date 'yesterday' is not a date"),
        ("skipped", "line 6: customer e-mail 'not-an-address' is not an address"),
        ("skipped", "line 7: row cut short (4 of 6 fields)"),
        ("purchase", "generic:o-7", "vic@example.org", "8.00"),
    ]


def test_options_that_do_not_fit_the_file() -> None:
    with pytest.raises(ConfigError, match="no such preset"):
        read(CASES / "generic.csv", preset="etsy")
    with pytest.raises(ConfigError, match="no such field"):
        read(CASES / "generic.csv", **{"col.price": "amount"})
    with pytest.raises(InputError) as raised:
        read(CASES / "generic.csv", **{"col.amount": "Betrag"})
    assert raised.value.where == str(CASES / "generic.csv")
    assert "no column 'Betrag'" in str(raised.value)
    with pytest.raises(InputError, match="cannot tell which column holds the amount and date"):
        read(CASES / "custom_mapping.csv", **{"col.email": "E-Mail"})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.50", ("12.50", None)),
        ("1,234.56", ("1234.56", None)),
        ("1.234,56", ("1234.56", None)),
        ("12,50", ("12.50", None)),
        ("1,234", ("1234", None)),
        ("€ 7,20", ("7.20", "EUR")),
        ("12.50 usd", ("12.50", "USD")),
        ("(3.00)", ("-3.00", None)),
        ("-3", ("-3", None)),
        ("1'250.00", ("1250.00", None)),
        ("ten", None),
        ("NaN", None),
        ("", None),
        ("1.2.3,4,5", None),
    ],
)
def test_parse_amount(text: str, expected: tuple | None) -> None:
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("2024-03-01", None, (1709251200, None)),
        ("2024-03-01 10:22:33 +0100", None, (1709284953, 60)),
        ("2024-03-01T10:22:33Z", None, (1709288553, 0)),
        ("2024-03-01 10:22 UTC", None, (1709288520, None)),
        ("2024/03/01", None, (1709251200, None)),
        ("01.03.2024", "%d.%m.%Y", (1709251200, None)),
        ("01.03.2024", None, None),
        ("", None, None),
    ],
)
def test_parse_when(text: str, fmt: str | None, expected: tuple | None) -> None:
    assert parse_when(text, fmt) == expected


def test_every_preset_is_recognised_by_its_header() -> None:
    claimed = {p.name: IMPORTER.identify(p) for p in CASE_FILES}
    assert claimed == {p.name: p.name != "custom_mapping.csv" for p in CASE_FILES}
    assert set(PRESETS) == {"shopify", "stripe", "woocommerce", "generic"}


# -- through the CLI, on SQLite and PostgreSQL -----------------------------------------------


def test_import_twice_then_an_overlapping_newer_export(db_url: str) -> None:
    march, march_april = (
        CASES / "overlap/orders_march.csv",
        CASES / "overlap/orders_march_april.csv",
    )
    first = run_cli("--db", db_url, "import", "-q", str(march))
    assert "3 imported, 0 duplicates, 0 skipped" in first.output, first.output
    again = run_cli("--db", db_url, "import", "-q", str(march))
    assert " 0 imported, 3 duplicates" in again.output
    newer = run_cli("--db", db_url, "import", "-q", str(march_april))
    assert "2 imported, 3 duplicates" in newer.output  # order m-3 and Ben's referral of Chidi
    stats = json.loads(run_cli("--db", db_url, "stats", "--json").output)
    assert (stats["interactions"], stats["people"]) == (5, 3)


def test_options_reach_the_importer_and_fail_fast_stops(db_url: str) -> None:
    args = [f"-o{k}={v}" for k, v in PARAMS["custom_mapping.csv"].items()]
    path = CASES / "custom_mapping.csv"
    result = run_cli("--db", db_url, "import", "-q", "--format", "purchases", *args, str(path))
    assert "3 imported, 0 duplicates, 0 skipped" in result.output, result.output
    bad = CASES / "bad_rows.csv"
    reported = run_cli("--db", db_url, "import", "-q", str(bad))
    assert reported.exit_code == 0
    assert "2 imported, 0 duplicates, 5 skipped" in reported.output
    assert f"skipped {bad}:3: line 3: amount 'ten euros' is not a number" in reported.output
    stopped = run_cli("--db", db_url, "import", "-q", "--fail-fast", str(bad))
    assert stopped.exit_code == 1
    assert f"{bad}:3: line 3: amount 'ten euros' is not a number" in stopped.output


# -- fuzzing -------------------------------------------------------------------------------

SAMPLES = [
    (CASES / name).read_bytes()
    for name in ("shopify.csv", "woocommerce.csv", "stripe.csv", "generic.csv", "bad_rows.csv")
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sample=st.sampled_from(SAMPLES), ops=OPS)
def test_mutated_purchase_csvs_give_records_or_skips(sample: bytes, ops: list) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        extract_mutated(IMPORTER, apply_ops(sample, ops), ".csv", Path(tmp))
