"""Purchases from any shop's CSV export, read through a column mapping.

Each order becomes an ``InteractionRecord`` (source ``purchase``; channel and
kind ``purchase``) with the customer as author (e-mail identity and name) and
``extra`` ``{"amount": "12.50", "currency": "EUR"}`` — amounts are decimal
strings, never floats. A "referred by" value that is an e-mail address gives a
second record (channel and kind ``referral``): the referrer as author, the
customer as ``to``, at the same time, id ``<purchase id>/referral``; a bare
name stays on the purchase as ``extra["referred_by_name"]``.

Which column holds what comes from a *preset* (``PRESETS``: Shopify orders,
WooCommerce orders, Stripe payments, and a ``generic`` layout), chosen by the
header or named with ``-o preset=NAME``, and from ``-o col.FIELD=Column``
for any field (``email``, ``name``, ``amount``, ``currency``, ``date``,
``referred_by``, ``order_id``, ``status``), which wins over the preset. More
options: ``-o currency=EUR`` (when the file has none), ``-o
date_format=%d/%m/%Y`` (dates that are not ISO-like), ``-o delimiter=;`` and
``-o shop=NAME``.

Ids: ``<shop>:<order id>`` where ``shop`` is the ``shop`` option or else the
preset's name, so two shops' order #1001 stay two orders when each is given
its own ``shop``. Without an order id column, a hash of the order's customer,
amount, currency, time and referrer (the n-th identical order in a file gets
``/n``). A row that repeats an order id already read is one more line item of
that order (Shopify writes one row per item) and is passed over. So is an
order whose status says it was never paid (``failed``, ``cancelled``,
``pending`` …): a later export, once it is paid, adds it.

A row without a customer e-mail, with an amount or date that cannot be read,
or cut short, is skipped as ``line N: reason``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kith.errors import ConfigError, InputError
from kith.ingest import identities
from kith.ingest.base import Importer, ImportOptions
from kith.ingest.cleaning import clean, content_id, one_line
from kith.ingest.csvfile import CsvFile, CsvProblem, CsvRow, head_rows, header_key
from kith.model import (
    Channel,
    IdentityRef,
    InteractionRecord,
    Kind,
    Origin,
    Participant,
    Record,
    Role,
    Skipped,
)

SOURCE = "purchase"
FIELDS = (
    "email",
    "name",
    "first_name",
    "last_name",
    "amount",
    "currency",
    "date",
    "referred_by",
    "order_id",
    "status",
)
#: Fields every mapping needs.
REQUIRED = ("email", "amount", "date")
#: Statuses of orders and payments that never became a purchase (or not yet).
NOT_PAID = frozenset(
    {
        "failed",
        "canceled",
        "cancelled",
        "voided",
        "void",
        "expired",
        "declined",
        "pending",
        "pending payment",
        "on-hold",
        "draft",
        "checkout-draft",
        "incomplete",
    }
)
_REFERRAL_COLUMNS = ("referred by", "referred_by", "referrer", "referral", "referred by email")
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₩": "KRW"}
_CODE = re.compile(r"\b([A-Za-z]{3})\b")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OFFSET_GAP = re.compile(r"\s+(?=[+-]\d{2}:?\d{2}$)")


@dataclass(frozen=True, slots=True)
class Preset:
    """A shop's export layout: for each field, the column names it goes by
    (compared without case), most likely first."""

    name: str
    columns: Mapping[str, tuple[str, ...]]
    #: Fields that must be found for a header to be taken for this layout.
    required: tuple[str, ...]


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        Preset(
            "shopify",
            {
                "email": ("email",),
                "name": ("billing name", "shipping name"),
                "amount": ("total",),
                "currency": ("currency",),
                "date": ("created at", "paid at"),
                # "Name" is the order number (#1001), on every line-item row.
                "order_id": ("name", "id"),
                "status": ("financial status",),
                "referred_by": _REFERRAL_COLUMNS,
            },
            required=("email", "amount", "date", "order_id", "status"),
        ),
        Preset(
            "stripe",
            {
                "email": ("customer email",),
                "name": ("customer name", "card name", "customer description"),
                "amount": ("amount",),
                "currency": ("currency",),
                "date": ("created (utc)", "created date (utc)"),
                "order_id": ("id",),
                "status": ("status",),
                "referred_by": _REFERRAL_COLUMNS,
            },
            required=("email", "amount", "date", "order_id"),
        ),
        Preset(
            "woocommerce",
            {
                "email": ("billing email", "billing email address", "email (billing)"),
                "name": ("billing name", "customer name"),
                "first_name": ("billing first name", "first name (billing)"),
                "last_name": ("billing last name", "last name (billing)"),
                "amount": ("order total", "order total amount", "order total amount with tax"),
                "currency": ("order currency", "currency"),
                "date": ("order date", "date created", "order created"),
                "order_id": ("order id", "order number"),
                "status": ("order status", "status"),
                "referred_by": _REFERRAL_COLUMNS,
            },
            required=("email", "amount", "date", "order_id"),
        ),
        Preset(
            "generic",
            {
                "email": ("email",),
                "name": ("name",),
                "amount": ("amount",),
                "currency": ("currency",),
                "date": ("date",),
                "referred_by": ("referred_by", "referred by"),
                "order_id": ("order_id", "order id"),
                "status": ("status",),
            },
            required=REQUIRED,
        ),
    )
}


def resolve(preset: Preset, header: list[str]) -> dict[str, str]:
    """field → the header column that holds it, for the fields the header has."""
    have = set(header)
    found: dict[str, str] = {}
    for name, candidates in preset.columns.items():
        column = next((c for c in candidates if c in have), None)
        if column is not None:
            found[name] = column
    return found


def detect_preset(header: list[str]) -> Preset | None:
    """The first preset whose required fields the header has."""
    for preset in PRESETS.values():
        mapping = resolve(preset, header)
        if all(f in mapping for f in preset.required):
            return preset
    return None


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """What the options and the header decided: columns, and the id namespace."""

    columns: dict[str, str]
    shop: str
    currency: str | None
    date_format: str | None


def mapping_for(header: list[str], params: Mapping[str, str], where: str) -> ColumnMap:
    """The column mapping for a file with ``header``, from the options."""
    explicit: dict[str, str] = {}
    for key, value in params.items():
        if not key.startswith("col."):
            continue
        field_name = key[4:].strip().lower()
        if field_name not in FIELDS:
            raise ConfigError(f"-o {key}: no such field", hint=f"fields: {', '.join(FIELDS)}")
        column = header_key(value)
        if column not in header:
            raise InputError(
                f"no column {value!r} (from -o {key}) in the header",
                where=where,
                hint=f"columns: {', '.join(header)}",
            )
        explicit[field_name] = column
    named = params.get("preset")
    if named:
        preset = PRESETS.get(named.strip().lower())
        if preset is None:
            raise ConfigError(
                f"-o preset={named}: no such preset", hint=f"presets: {', '.join(PRESETS)}"
            )
    else:
        preset = detect_preset(header)
    columns = resolve(preset, header) if preset else {}
    columns.update(explicit)
    missing = [f for f in REQUIRED if f not in columns]
    if missing:
        shown = ", ".join(f"-o col.{f}=COLUMN" for f in missing)
        raise InputError(
            f"cannot tell which column holds the {' and '.join(missing)}"
            + (f" (preset {preset.name})" if preset else ""),
            where=where,
            hint=f"name them with {shown}, or -o preset=NAME ({', '.join(PRESETS)})",
        )
    shop = (params.get("shop") or (preset.name if preset else "custom")).strip()
    currency = (params.get("currency") or "").strip().upper() or None
    return ColumnMap(columns, shop, currency, params.get("date_format") or None)


# -- values ---------------------------------------------------------------------------


def parse_amount(text: str) -> tuple[str, str | None] | None:
    """``"€1.234,50"`` → ``("1234.50", "EUR")``; ``"12.50 USD"`` → ``("12.50",
    "USD")``; ``"(3.00)"`` → ``("-3.00", None)``; None when it is not a number.

    The separator that comes last is the decimal one; a lone ``,`` is decimal
    unless three digits follow it (``1,234`` is a thousand).
    """
    value = text.strip()
    currency = next((code for symbol, code in _SYMBOLS.items() if symbol in value), None)
    code = _CODE.search(value)
    if code:
        currency = code.group(1).upper()
        value = value[: code.start()] + value[code.end() :]
    negative = value.startswith("-") or value.endswith("-") or value.startswith("(")
    digits = re.sub(r"[^\d.,]", "", value)
    if not any(c.isdigit() for c in digits):
        return None
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        digits = digits.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in digits:
        whole, _, tail = digits.rpartition(",")
        if digits.count(",") == 1 and len(tail) != 3:
            digits = f"{whole}.{tail}"
        else:
            digits = digits.replace(",", "")
    elif digits.count(".") > 1:
        digits = digits.replace(".", "")
    if not _NUMBER.fullmatch(digits):
        return None
    try:
        amount = Decimal(digits)
    except InvalidOperation:
        return None
    if negative:
        amount = -amount
    return str(amount), currency


def parse_when(text: str, date_format: str | None) -> tuple[int, int | None] | None:
    """``(UTC seconds, offset in minutes or None)`` of an order's date; a date or
    a time without offset is UTC. None when it cannot be read."""
    value = text.strip()
    if not value:
        return None
    try:
        if date_format:
            when = datetime.strptime(value, date_format)
        else:
            cleaned = _OFFSET_GAP.sub("", value.removesuffix(" UTC").strip())
            when = datetime.fromisoformat(cleaned.replace("/", "-"))
    except ValueError:
        return None
    offset = when.utcoffset()
    if offset is None:
        return int(when.replace(tzinfo=UTC).timestamp()), None
    return int(when.timestamp()), int(offset.total_seconds() // 60)


# -- the importer ---------------------------------------------------------------------


class PurchasesImporter(Importer):
    """Reads orders or payments exported as CSV by a shop or payment provider."""

    name = "purchases"
    description = "purchases CSV (Shopify, WooCommerce, Stripe, or any with -o col.FIELD=COLUMN)"

    def identify(self, path: Path) -> bool:
        if path.suffix.lower() != ".csv":
            return False
        rows = head_rows(path)
        return bool(rows) and detect_preset([header_key(c) for c in rows[0]]) is not None

    def extract(self, path: Path, options: ImportOptions) -> Iterator[Record]:
        where = str(path)
        params = options.params
        delimiter = params.get("delimiter") or None
        if delimiter == "\\t":
            delimiter = "\t"
        csv = CsvFile(
            path, is_header=lambda cells: True, what="the purchases file", delimiter=delimiter
        )
        mapping = mapping_for(csv.header, params, where)
        seen_orders: set[str] = set()
        seen_hashes: dict[str, int] = {}
        for row in csv.rows():
            if isinstance(row, CsvProblem):
                yield Skipped(Origin(where, row.line), f"line {row.line}: {row.reason}")
                continue
            if row.width < len(csv.header):
                yield Skipped(
                    Origin(where, row.line),
                    f"line {row.line}: row cut short ({row.width} of {len(csv.header)} fields)",
                )
                continue
            yield from read_row(row, where, mapping, seen_orders, seen_hashes)


def read_row(
    row: CsvRow,
    where: str,
    mapping: ColumnMap,
    seen_orders: set[str],
    seen_hashes: dict[str, int],
) -> Iterator[Record]:
    """The purchase in one row (and its referral), or why not."""
    origin = Origin(where, row.line)

    def cell(field_name: str) -> str:
        column = mapping.columns.get(field_name)
        return (clean(row.cells.get(column)) or "") if column else ""

    order_id = one_line(cell("order_id"))
    if order_id is not None:
        if order_id in seen_orders:
            return  # another line item of an order already read
        seen_orders.add(order_id)
    if cell("status").lower() in NOT_PAID:
        return
    name = one_line(cell("name")) or one_line(f"{cell('first_name')} {cell('last_name')}")
    email_text = cell("email")
    customer = identities.email(email_text, name)
    if customer is None:
        reason = (
            f"customer e-mail {email_text[:60]!r} is not an address"
            if email_text
            else "no customer e-mail"
        )
        yield Skipped(origin, f"line {row.line}: {reason}")
        return
    amount_text = cell("amount")
    amount = parse_amount(amount_text)
    if amount is None:
        yield Skipped(origin, f"line {row.line}: amount {amount_text[:40]!r} is not a number")
        return
    date_text = cell("date")
    when = parse_when(date_text, mapping.date_format)
    if when is None:
        yield Skipped(origin, f"line {row.line}: date {date_text[:40]!r} is not a date")
        return
    value, symbol_currency = amount
    currency = (one_line(cell("currency")) or symbol_currency or mapping.currency or "").upper()
    referred = one_line(cell("referred_by"))
    referrer = identities.email(referred) if referred else None
    extra = {"amount": value}
    if currency:
        extra["currency"] = currency
    if order_id is not None:
        extra["order_id"] = order_id
        source_id = f"{mapping.shop}:{order_id}"
    else:
        digest = content_id(customer.value, value, currency, when[0], referred)
        seen_hashes[digest] = seen_hashes.get(digest, 0) + 1
        count = seen_hashes[digest]
        source_id = f"{mapping.shop}:{digest}" + (f"/{count}" if count > 1 else "")
    if referred and referrer is None:
        extra["referred_by_name"] = referred
    yield InteractionRecord(
        source=SOURCE,
        source_id=source_id,
        channel=Channel.PURCHASE,
        kind=Kind.PURCHASE,
        occurred_at=when[0],
        participants=(Participant(Role.FROM, customer),),
        origin=origin,
        tz_offset_min=when[1],
        extra=extra,
    )
    if referrer is not None and referrer.value != customer.value:
        yield referral(referrer, customer, source_id, when, origin)


def referral(
    referrer: IdentityRef,
    customer: IdentityRef,
    purchase_id: str,
    when: tuple[int, int | None],
    origin: Origin,
) -> InteractionRecord:
    """The referrer sent the customer: a give from the referrer."""
    return InteractionRecord(
        source=SOURCE,
        source_id=f"{purchase_id}/referral",
        channel=Channel.REFERRAL,
        kind=Kind.REFERRAL,
        occurred_at=when[0],
        participants=(Participant(Role.FROM, referrer), Participant(Role.TO, customer)),
        origin=origin,
        tz_offset_min=when[1],
        extra={"purchase": purchase_id},
    )
