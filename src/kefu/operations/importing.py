"""Bulk import of orders, shipments and tracking events from the company's own systems.

Two kinds of rows, told apart by their columns:

- order rows, keyed by the external order number (``external_number``), optionally with
  the facts of their shipment (``shipment_number`` and dispatch / delivery columns);
- event rows, keyed by (``shipment_number``, ``kind``, ``occurred_at``).

Every row is validated first; one bad row is reported with its row, column and reason and
nothing is written. Writing is an upsert keyed as above, so importing the same file twice
leaves the same data. Writes are set-based: on PostgreSQL each table is loaded with COPY into
a temporary table and merged with one ``INSERT ... SELECT ... ON CONFLICT``, references (a
shipment's order, an event's shipment) resolved by joins there, so no id travels to Python and
back; elsewhere with ``bulk_create(update_conflicts=...)``.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kefu.core.models import NumberSequence, SearchToken
from kefu.core.services import DomainError, PermissionDeniedError, audit_record, search_index_bulk
from kefu.customers.importexport import _read_rows as read_rows  # the archive's .xlsx/.csv reader
from kefu.customers.models import Customer
from kefu.operations.choices import EventKind, OrderSource, OrderStatus, ShipmentStatus, StockCheck, VehicleType
from kefu.operations.models import ORDER_GOODS_FIELDS, Order, Shipment, ShipmentLine, TrackingEvent
from kefu.operations.services.core import ORDER_SEARCH_KIND, order_search_text

MAX_ROWS = 200_000
ORDER_COLUMNS = (
    "external_number",
    "customer_number",
    "goods",
    "goods_type",
    "pieces",
    "weight_kg",
    "volume_m3",
    "declared_value",
    "origin",
    "destination",
    "ordered_at",
    "pickup_at",
    "promised_at",
    "vehicle_type",
    "is_custom",
    "is_clearance",
    "price",
    "service_type",
)
SHIPMENT_COLUMNS = (
    "shipment_number",
    "dispatched_at",
    "departed_at",
    "pieces_shipped",
    "delivered_at",
    "pieces_delivered",
    "intact",
    "signed_by",
)
EVENT_COLUMNS = ("shipment_number", "kind", "occurred_at", "place", "note", "informed_at")
REQUIRED_ORDER = (
    "external_number",
    "customer_number",
    "goods",
    "origin",
    "destination",
    "pickup_at",
    "promised_at",
    "vehicle_type",
    "price",
)
REQUIRED_EVENT = ("shipment_number", "kind", "occurred_at")
_CHOICE_LOOKUPS: dict[str, dict[str, str]] = {}
_TRUE = {"1", "true", "yes", "y", "是", "√"}
_FALSE = {"0", "false", "no", "n", "否", ""}


@dataclass
class ImportReport:
    kind: str = "orders"
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- parsing one cell ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _blank(value: Any) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _datetime(value: Any, name: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None and 2000 <= value.year <= 2099:
            return value
        parsed = value
    else:
        try:
            parsed = dt.datetime.fromisoformat(_text(value).replace("/", "-"))
        except ValueError as exc:
            raise DomainError(_("not a date and time (YYYY-MM-DD HH:MM)"), field=name) from exc
    if not 2000 <= parsed.year <= 2099:
        raise DomainError(_("not between the years 2000 and 2099"), field=name)
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


_CENT, _MILLI, _LIMIT = Decimal("0.01"), Decimal("0.001"), Decimal("1e10")


def _decimal(value: Any, name: str) -> Decimal:
    try:
        number = value if type(value) is Decimal else Decimal(value if type(value) is int else _text(value) or "0")
    except InvalidOperation as exc:
        raise DomainError(_("not a number"), field=name) from exc
    if not number.is_finite() or number < 0 or number >= _LIMIT:
        raise DomainError(_("must be a number from 0 to 9,999,999,999"), field=name)
    return number.quantize(_MILLI if name == "volume_m3" else _CENT)


def _int(value: Any, name: str) -> int:
    if type(value) is int and 0 <= value <= 2_000_000_000:
        return value
    text = _text(value)
    if not text.isdigit() or int(text) > 2_000_000_000:
        raise DomainError(_("not a whole number"), field=name)
    return int(text)


def _bool(value: Any, name: str) -> bool:
    if type(value) is bool:
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError(_("not yes or no"), field=name)


def _choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Code or label (in any of Kefu's languages, lower-cased) → code; built once.

    The lookup holds every language's labels, so it does not depend on the active language (and
    asking for the active language on each of millions of cells was most of an event row's cost)."""
    lookup = _CHOICE_LOOKUPS.get(choices.__name__)
    if lookup is None:
        lookup = {}
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                lookup.update({str(label).lower(): str(value) for value, label in choices.choices})
        lookup.update({str(value): str(value) for value in choices.values})
        _CHOICE_LOOKUPS[choices.__name__] = lookup
    return lookup


def _choice(value: Any, name: str, choices: type[models.TextChoices]) -> str:
    text = _text(value)
    code = _choice_lookup(choices).get(text.lower())
    if code is None:
        raise DomainError(_("“%(text)s” is not a known value") % {"text": text}, field=name)
    return code


def _max(text: str, name: str, length: int) -> str:
    if len(text) > length:
        raise DomainError(_("longer than %d characters") % length, field=name)
    return text


# --- order rows ------------------------------------------------------------------------------------


def _order_row(raw: Mapping[str, Any]) -> dict[str, Any]:
    for name in REQUIRED_ORDER:
        if _blank(raw.get(name)):
            raise DomainError(_("required"), field=name)
    row: dict[str, Any] = {
        "external_number": _max(_text(raw["external_number"]), "external_number", 40),
        "customer_number": _text(raw["customer_number"]),
        "goods": _max(_text(raw["goods"]), "goods", 200),
        "goods_type": _max(_text(raw.get("goods_type")), "goods_type", 40),
        "service_type": _max(_text(raw.get("service_type")), "service_type", 20),
        "origin": _max(_text(raw["origin"]), "origin", 120),
        "destination": _max(_text(raw["destination"]), "destination", 120),
        "pieces": _int(raw.get("pieces") or 1, "pieces"),
        "weight_kg": _decimal(raw.get("weight_kg"), "weight_kg"),
        "volume_m3": _decimal(raw.get("volume_m3"), "volume_m3"),
        "declared_value": _decimal(raw.get("declared_value"), "declared_value"),
        "price": _decimal(raw["price"], "price"),
        "pickup_at": _datetime(raw["pickup_at"], "pickup_at"),
        "promised_at": _datetime(raw["promised_at"], "promised_at"),
        "vehicle_type": _choice(raw["vehicle_type"], "vehicle_type", VehicleType),
        "is_custom": _bool(raw.get("is_custom"), "is_custom"),
        "is_clearance": _bool(raw.get("is_clearance"), "is_clearance"),
        "ordered_at": _datetime(raw["ordered_at"], "ordered_at") if not _blank(raw.get("ordered_at")) else None,
    }
    if row["promised_at"] < row["pickup_at"]:
        raise DomainError(_("the promised delivery is before the pick-up"), field="promised_at")
    number = _text(raw.get("shipment_number"))
    row["shipment_number"] = _max(number, "shipment_number", 40)
    if not number:
        for name in SHIPMENT_COLUMNS[1:]:
            if not _blank(raw.get(name)):
                raise DomainError(_("shipment facts need a shipment number"), field=name)
        return row
    row["dispatched_at"] = (
        _datetime(raw["dispatched_at"], "dispatched_at") if not _blank(raw.get("dispatched_at")) else None
    )
    row["departed_at"] = _datetime(raw["departed_at"], "departed_at") if not _blank(raw.get("departed_at")) else None
    row["pieces_shipped"] = (
        _int(raw["pieces_shipped"], "pieces_shipped") if not _blank(raw.get("pieces_shipped")) else row["pieces"]
    )
    row["delivered_at"] = (
        _datetime(raw["delivered_at"], "delivered_at") if not _blank(raw.get("delivered_at")) else None
    )
    row["signed_by"] = _max(_text(raw.get("signed_by")), "signed_by", 60)
    if row["delivered_at"] is not None:
        if _blank(raw.get("pieces_delivered")):
            raise DomainError(_("required when delivered"), field="pieces_delivered")
        row["pieces_delivered"] = _int(raw["pieces_delivered"], "pieces_delivered")
        row["intact"] = _bool(raw.get("intact") if not _blank(raw.get("intact")) else "yes", "intact")
    else:
        row["pieces_delivered"] = row["intact"] = None
    return row


def _event_row(raw: Mapping[str, Any]) -> dict[str, Any]:
    for name in REQUIRED_EVENT:
        if _blank(raw.get(name)):
            raise DomainError(_("required"), field=name)
    informed = raw.get("informed_at")
    return {
        "shipment_number": _text(raw["shipment_number"]),
        "kind": _choice(raw["kind"], "kind", EventKind),
        "occurred_at": _datetime(raw["occurred_at"], "occurred_at"),
        "place": _max(_text(raw.get("place")), "place", 120),
        "note": _max(_text(raw.get("note")), "note", 200),
        "informed_at": None if _blank(informed) else _datetime(informed, "informed_at"),
    }


def _validate(
    rows: Sequence[Mapping[str, Any]], parse: Any, key: Any, first_row: int
) -> tuple[list[tuple[int, dict[str, Any]]], list[tuple[int, str, str]]]:
    good: list[tuple[int, dict[str, Any]]] = []
    errors: list[tuple[int, str, str]] = []
    seen: dict[Any, int] = {}
    for offset, raw in enumerate(rows):
        row_number = first_row + offset
        if not raw:
            continue  # a blank line of the file
        try:
            row = parse(raw)
        except DomainError as exc:
            errors.append((row_number, exc.field or "", exc.message))
            continue
        k = key(row)
        if k in seen:
            errors.append(
                (
                    row_number,
                    "external_number" if "external_number" in row else "shipment_number",
                    _("same record as row %d") % seen[k],
                )
            )
            continue
        seen[k] = row_number
        good.append((row_number, row))
    return good, errors


# --- set-based writing -----------------------------------------------------------------------------


def _chunks(values: Sequence[Any], size: int = 5000) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing(model: type[models.Model], key: str, values: Sequence[str], *fields: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for chunk in _chunks(values):
        for row in model.objects.filter(**{f"{key}__in": chunk}).values_list(key, *fields):
            found[row[0]] = row[1:] if len(fields) > 1 else row[1]
    return found


def upsert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    conflict: Sequence[str],
    update: Sequence[str] = (),
) -> int:
    """Insert `rows` (tuples in `columns` order; column names are attnames); on a key conflict update or skip.

    Returns how many rows were new."""
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        return _copy_upsert(model, columns, rows, conflict, update)
    before = model.objects.count()
    objects = [model(**dict(zip(columns, row, strict=True))) for row in rows]
    names = [model._meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c).name for c in update]
    unique = [model._meta.get_field(c).name for c in conflict]
    if update:
        model.objects.bulk_create(
            objects, batch_size=500, update_conflicts=True, unique_fields=unique, update_fields=names
        )
    else:
        model.objects.bulk_create(objects, batch_size=500, ignore_conflicts=True)
    return model.objects.count() - before


def _copy_upsert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
    update: Sequence[str],
) -> int:
    table = connection.ops.quote_name(model._meta.db_table)
    stage = connection.ops.quote_name(f"stage_{model._meta.db_table}")
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        # Identifiers come from model metadata, quoted; values go through COPY, never into the SQL text.
        cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")  # noqa: S608
        with cursor.cursor.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        target = ", ".join(connection.ops.quote_name(c) for c in conflict)
        if update:
            assignments = ", ".join(
                f"{connection.ops.quote_name(c)} = EXCLUDED.{connection.ops.quote_name(c)}" for c in update
            )
            action = f"DO UPDATE SET {assignments}"
        else:
            action = "DO NOTHING"
        # xmax = 0 marks a row this statement inserted (not one it updated).
        cursor.execute(
            f"WITH written AS (INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "  # noqa: S608
            f"ON CONFLICT ({target}) {action} RETURNING (xmax = 0) AS fresh) "
            "SELECT count(*) FILTER (WHERE fresh) FROM written"
        )
        inserted = int(cursor.fetchone()[0])
        cursor.execute(f"DROP TABLE {stage}")
    return inserted


def _number_block(prefix: str, day: dt.date, count: int) -> list[str]:
    """`count` consecutive human-readable numbers for `prefix` and `day`, allocated at once."""
    if count == 0:
        return []
    key = f"{prefix}-{day:%Y%m%d}"
    NumberSequence.objects.get_or_create(key=key)
    sequence = NumberSequence.objects.select_for_update().get(key=key)
    first = sequence.last_value + 1
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return [f"{key}-{n:04d}" for n in range(first, first + count)]


ORDER_WRITE = (
    "number",
    "external_number",
    "source",
    "customer_id",
    *ORDER_GOODS_FIELDS,
    "status",
    "stock_check",
    "stock_note",
    "hold_reason",
    "release_note",
    "created_at",
    "search_text",
    "version",
)
ORDER_UPDATE = ("customer_id", *ORDER_GOODS_FIELDS, "status", "search_text")
SHIPMENT_WRITE = (
    "number",
    "order_id",
    "customer_id",
    "type_override_reason",
    "status",
    "dispatched_at",
    "departed_at",
    "pieces_shipped",
    "delivered_at",
    "pieces_delivered",
    "intact",
    "signed_by",
    "on_time",
)
SHIPMENT_UPDATE = SHIPMENT_WRITE[1:]


# A shipment row as staged: SHIPMENT_WRITE with the order's external number in place of its id, then
# the packing-list line a new shipment gets.
SHIPMENT_STAGE = ("number", "external_number", *SHIPMENT_WRITE[2:], "line_description", "line_ordered")
LINE_WRITE = ("shipment_id", "description", "ordered", "shipped")


def _shipment_row(r: Mapping[str, Any], customer_id: int, now: dt.datetime) -> tuple[Any, ...]:
    delivered = r["delivered_at"]
    return (
        r["shipment_number"],
        r["external_number"],
        customer_id,
        "",
        ShipmentStatus.DELIVERED
        if delivered
        else (ShipmentStatus.IN_TRANSIT if r["departed_at"] else ShipmentStatus.DISPATCHED),
        r["dispatched_at"] or r["departed_at"] or now,
        r["departed_at"],
        r["pieces_shipped"],
        delivered,
        r["pieces_delivered"],
        r["intact"],
        r["signed_by"],
        (delivered <= r["promised_at"]) if delivered else None,
        r["goods"][:120],
        r["pieces"],
    )


def _shipments_bulk(rows: Sequence[tuple[Any, ...]], *, known: set[str]) -> None:
    """Upsert the shipments (rows as SHIPMENT_STAGE) and give each new one its packing-list line;
    a re-imported shipment (its number in `known`) keeps its packing list."""
    order_ids = _existing(Order, "external_number", sorted({r[1] for r in rows}), "pk")
    upsert_rows(
        Shipment,
        SHIPMENT_WRITE,
        [(r[0], order_ids[r[1]], *r[2:-2]) for r in rows],
        conflict=["number"],
        update=SHIPMENT_UPDATE,
    )
    fresh = [r for r in rows if r[0] not in known]
    shipment_ids = _existing(Shipment, "number", [r[0] for r in fresh], "pk")
    lines = [(shipment_ids[r[0]], r[-2], r[-1], r[SHIPMENT_STAGE.index("pieces_shipped")]) for r in fresh]
    upsert_rows(ShipmentLine, LINE_WRITE, lines, conflict=["id"])


def _shipments_copy(rows: Sequence[tuple[Any, ...]]) -> None:
    """`_shipments_bulk` on PostgreSQL in one statement over a staging table: the shipments are joined
    to their orders there and the new ones (inserted, not updated) get their line from the same rows,
    so no id travels to Python and back."""
    shipment, order, line = (connection.ops.quote_name(m._meta.db_table) for m in (Shipment, Order, ShipmentLine))
    facts = SHIPMENT_WRITE[2:]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS stage_shipments")
        # Identifiers come from model metadata, quoted; values go through COPY, never into the SQL text.
        cursor.execute(
            "CREATE TEMP TABLE stage_shipments ON COMMIT DROP AS "  # noqa: S608
            f"SELECT s.number, o.external_number, {', '.join(f's.{c}' for c in facts)}, "
            f"l.description AS line_description, l.ordered AS line_ordered FROM {shipment} s, {order} o, {line} l "
            "WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY stage_shipments ({', '.join(SHIPMENT_STAGE)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in SHIPMENT_UPDATE)
        cursor.execute(
            f"WITH written AS (INSERT INTO {shipment} ({', '.join(SHIPMENT_WRITE)}) "  # noqa: S608
            f"SELECT st.number, o.id, {', '.join(f'st.{c}' for c in facts)} "
            f"FROM stage_shipments st JOIN {order} o ON o.external_number = st.external_number "
            f"ON CONFLICT (number) DO UPDATE SET {assignments} RETURNING id, number, (xmax = 0) AS fresh) "
            f"INSERT INTO {line} ({', '.join(LINE_WRITE)}) "
            "SELECT w.id, st.line_description, st.line_ordered, st.pieces_shipped "
            "FROM written w JOIN stage_shipments st ON st.number = w.number WHERE w.fresh"
        )


def _order_status(row: Mapping[str, Any]) -> str:
    if not row["shipment_number"]:
        return OrderStatus.ACCEPTED
    return OrderStatus.DELIVERED if row["delivered_at"] else OrderStatus.DISPATCHED


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """A batch is millions of small dicts and tuples, none of them in a reference cycle: the cyclic
    collector would walk them over and over (about 40% of the validation's CPU time). Reference
    counting still frees them all."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _require(actor: Any) -> None:
    if actor is not None and not actor.has_perm("operations.import"):
        raise PermissionDeniedError()


@_without_cyclic_gc()
def orders_upsert(*, actor: Any, rows: Sequence[Mapping[str, Any]], first_row: int = 2) -> ImportReport:
    """Create or update orders (and their shipments) keyed by the external order number; all or nothing."""
    _require(actor)
    report = ImportReport(kind="orders", total_rows=len(rows))
    if len(rows) > MAX_ROWS:
        report.errors.append((first_row + MAX_ROWS, "", _("more than %(n)s rows; split the file") % {"n": MAX_ROWS}))
        return report
    good, report.errors = _validate(rows, _order_row, lambda r: r["external_number"], first_row)
    customers = _existing(Customer, "number", sorted({r["customer_number"] for _n, r in good}), "pk")
    shipment_owner = _existing(
        Shipment,
        "number",
        sorted({r["shipment_number"] for _n, r in good if r["shipment_number"]}),
        "order__external_number",
    )
    for row_number, row in good:
        if row["customer_number"] not in customers:
            report.errors.append((row_number, "customer_number", _("no customer has this number")))
        owner = shipment_owner.get(row["shipment_number"])
        if owner is not None and owner != row["external_number"]:
            report.errors.append((row_number, "shipment_number", _("this shipment belongs to another order")))
    if report.errors:
        report.errors.sort()
        return report
    now = timezone.now()
    with transaction.atomic():
        _commit_without_flush()
        existing = _existing(Order, "external_number", [r["external_number"] for _n, r in good], "number")
        indexed = _existing(Order, "external_number", list(existing), "search_text")
        fresh = [r for _n, r in good if r["external_number"] not in existing]
        numbers = iter(_number_block("DD", timezone.localdate(now), len(fresh)))
        order_rows, texts = [], {}
        for _n, r in good:
            number = existing.get(r["external_number"]) or next(numbers)
            search = texts[r["external_number"]] = order_search_text(
                goods=r["goods"], origin=r["origin"], destination=r["destination"]
            )
            order_rows.append(
                (
                    number,
                    r["external_number"],
                    OrderSource.IMPORT,
                    customers[r["customer_number"]],
                    r["service_type"],
                    r["goods"],
                    r["goods_type"],
                    r["pieces"],
                    r["weight_kg"],
                    r["volume_m3"],
                    r["declared_value"],
                    r["origin"],
                    r["destination"],
                    r["pickup_at"],
                    r["promised_at"],
                    r["vehicle_type"],
                    r["is_custom"],
                    r["is_clearance"],
                    r["price"],
                    _order_status(r),
                    StockCheck.NOT_NEEDED,
                    "",
                    "",
                    "",
                    r["ordered_at"] or now,
                    search.lower(),
                    1,
                )
            )
        upsert_rows(Order, ORDER_WRITE, order_rows, conflict=["external_number"], update=ORDER_UPDATE)
        _index_orders(texts, indexed)
        shipment_rows = [
            _shipment_row(r, customers[r["customer_number"]], now) for _n, r in good if r["shipment_number"]
        ]
        if shipment_rows:
            if connection.vendor == "postgresql":
                _shipments_copy(shipment_rows)
            else:
                _shipments_bulk(shipment_rows, known=set(shipment_owner))
        report.created, report.updated = len(fresh), len(good) - len(fresh)
        _audit(actor, "operations.order.imported", {"created": report.created, "updated": report.updated})
    return report


def _index_orders(texts: Mapping[str, str], indexed: Mapping[str, str]) -> None:
    """Search tokens of the orders whose text is new or changed, set-based; a re-imported file writes none."""
    changed = {key: text for key, text in texts.items() if indexed.get(key) != text.lower()}
    ids: dict[str, int] = {}
    for chunk in _chunks(sorted(changed)):
        ids.update(Order.objects.filter(external_number__in=chunk).values_list("external_number", "pk"))
    stale = sorted(ids[key] for key in changed if key in indexed)
    for chunk in _chunks(stale):
        SearchToken.objects.filter(kind=ORDER_SEARCH_KIND, object_id__in=chunk).delete()
    search_index_bulk(kind=ORDER_SEARCH_KIND, texts=[(ids[key], text) for key, text in changed.items()])


@_without_cyclic_gc()
def events_upsert(*, actor: Any, rows: Sequence[Mapping[str, Any]], first_row: int = 2) -> ImportReport:
    """Add tracking events keyed by (shipment number, kind, time); a repeated event is left as it is."""
    _require(actor)
    report = ImportReport(kind="events", total_rows=len(rows))
    if len(rows) > MAX_ROWS * 5:
        report.errors.append((first_row, "", _("more than %(n)s rows; split the file") % {"n": MAX_ROWS * 5}))
        return report
    good, report.errors = _validate(
        rows, _event_row, lambda r: (r["shipment_number"], r["kind"], r["occurred_at"]), first_row
    )
    with transaction.atomic():
        _commit_without_flush()
        write = _events_copy if connection.vendor == "postgresql" else _events_bulk
        missing, report.created = write(good, check_only=bool(report.errors))
        report.errors += [(n, "shipment_number", _("no shipment has this number")) for n in missing]
        if report.errors:
            transaction.set_rollback(True)
            report.errors.sort()
            report.created = 0
            return report
        report.updated = len(good) - report.created
        _audit(actor, "operations.events.imported", {"rows": len(good)})
    return report


EVENT_WRITE = ("shipment_id", "kind", "occurred_at", "place", "note", "informed_at")
EVENT_UPDATE = ("place", "note", "informed_at")


def _events_bulk(good: Sequence[tuple[int, dict[str, Any]]], *, check_only: bool) -> tuple[list[int], int]:
    """Write the events (unless `check_only`); returns the rows whose shipment is unknown and how many are new."""
    shipments = _existing(Shipment, "number", sorted({r["shipment_number"] for _n, r in good}), "pk")
    missing = [n for n, r in good if r["shipment_number"] not in shipments]
    if missing or check_only:
        return missing, 0
    event_rows = [
        (shipments[r["shipment_number"]], r["kind"], r["occurred_at"], r["place"], r["note"], r["informed_at"])
        for _n, r in good
    ]
    created = upsert_rows(
        TrackingEvent, EVENT_WRITE, event_rows, conflict=["shipment_id", "kind", "occurred_at"], update=EVENT_UPDATE
    )
    return [], created


def _events_copy(good: Sequence[tuple[int, dict[str, Any]]], *, check_only: bool) -> tuple[list[int], int]:
    """`_events_bulk` on PostgreSQL: the rows are copied into a staging table with their row numbers and
    joined to the shipments there, so millions of shipment ids never travel to Python and back."""
    table = connection.ops.quote_name(TrackingEvent._meta.db_table)
    shipments = connection.ops.quote_name(Shipment._meta.db_table)
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in EVENT_UPDATE)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS stage_events")
        cursor.execute(
            "CREATE TEMP TABLE stage_events (row_number integer, shipment_number text, kind text, "
            "occurred_at timestamptz, place text, note text, informed_at timestamptz) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY stage_events FROM STDIN") as copy:
            for n, r in good:
                copy.write_row(
                    (n, r["shipment_number"], r["kind"], r["occurred_at"], r["place"], r["note"], r["informed_at"])
                )
        if not check_only:
            # Table names come from model metadata, quoted; values went through COPY, never into the SQL text.
            cursor.execute(
                f"WITH written AS (INSERT INTO {table} ({', '.join(EVENT_WRITE)}) "  # noqa: S608
                "SELECT s.id, e.kind, e.occurred_at, e.place, e.note, e.informed_at "
                f"FROM stage_events e JOIN {shipments} s ON s.number = e.shipment_number "
                f"ON CONFLICT (shipment_id, kind, occurred_at) DO UPDATE SET {assignments} "
                "RETURNING (xmax = 0) AS fresh) "
                "SELECT count(*), count(*) FILTER (WHERE fresh) FROM written"
            )
            written, created = cursor.fetchone()
            if written == len(good):
                return [], int(created)
        # Some shipment is unknown (or we only check): name the rows; the caller rolls the batch back.
        cursor.execute(
            f"SELECT row_number FROM stage_events e WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {shipments} s WHERE s.number = e.shipment_number) ORDER BY row_number"
        )
        return [n for (n,) in cursor.fetchall()], 0


def _commit_without_flush() -> None:
    """An import is replayed as a whole (it is an idempotent upsert), so should the server crash just after
    a commit, the client sends the batch again: the commit need not wait for the WAL to reach the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _audit(actor: Any, action: str, changes: dict[str, Any]) -> None:
    subject = actor if getattr(actor, "pk", None) else NumberSequence.objects.get_or_create(key="operations-import")[0]
    audit_record(actor=actor, action=action, subject=subject, subject_label=_("Operations import"), changes=changes)


def parse_file(upload: Any) -> tuple[str, list[dict[str, Any]]]:
    """The rows of an uploaded .xlsx/.csv as dicts by column code, and whether they are orders or events."""
    rows = read_rows(upload)
    header = next(rows, None)
    if not header:
        raise DomainError(_("The file is empty."), field="file")
    names = [_text(h).lower() for h in header]
    if "external_number" in names:
        kind, known = "orders", set(ORDER_COLUMNS + SHIPMENT_COLUMNS)
    elif {"shipment_number", "kind", "occurred_at"} <= set(names):
        kind, known = "events", set(EVENT_COLUMNS)
    else:
        raise DomainError(
            _(
                "The first row must hold the column names: external_number (orders), "
                "or shipment_number, kind and occurred_at (events)."
            ),
            field="file",
        )
    unknown = [n for n in names if n and n not in known]
    if unknown:
        raise DomainError(_("Unknown column: %s") % ", ".join(unknown), field="file")
    records = []
    for row in rows:
        if not any(_text(v) for v in row):
            records.append({})
            continue
        records.append({name: value for name, value in zip(names, row, strict=False) if name})
    while records and not records[-1]:
        records.pop()
    return kind, records


def template_rows() -> tuple[list[str], list[list[Any]]]:
    return list(ORDER_COLUMNS + SHIPMENT_COLUMNS), []
