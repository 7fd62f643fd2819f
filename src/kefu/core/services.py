"""Writes of the shared kernel: audit events and seals, search tokens, numbers, calendar exceptions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from operator import attrgetter
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.audit import GENESIS_HASH, event_hash, seal_hash
from kefu.core.calendar import CalendarError, parse_weekly_hours
from kefu.core.models import AuditEvent, AuditSeal, CalendarDay, NumberSequence, SearchToken, WorkCalendar
from kefu.core.search import tokens_for


class DomainError(Exception):
    """A business rule refused the action; views and the API answer 4xx with the message.

    `field` names the input at fault when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class PermissionDeniedError(DomainError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You are not allowed to do this."), code="forbidden")


class StaleVersionError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            _("Someone else saved this record after you opened it. Reload to see their changes, then edit again."),
            field="version",
            code="conflict",
        )


def validate_or_refuse(instance: Any, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation; the first problem becomes a DomainError naming its field."""
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        first_field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(" ".join(messages), field=None if first_field == "__all__" else first_field) from exc


def audit_record(
    *,
    actor: Any | None,
    action: str,
    subject: Any,
    changes: dict[str, Any] | None = None,
    subject_label: str | None = None,
) -> AuditEvent:
    """Append one audit event for `subject` in the caller's transaction (at the end of the enclosing
    `audit_batch()` block when there is one: the event's id is set then)."""
    event = _audit_event(actor, action, subject, changes, subject_label)
    batch = _audit_batch.get()
    if batch is not None:
        batch.append(event)
    else:
        event.save(force_insert=True)
    return event


_audit_batch: ContextVar[list[AuditEvent] | None] = ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch() -> Iterator[list[AuditEvent]]:
    """Write the audit events recorded inside the block with one INSERT at its end: a business action
    whose nested services each record their own event (a case received also flags its customer and
    keeps the e-mail sent) costs one statement, not one each. Yields the events, in the order they
    were recorded. Use it inside the action's transaction; a nested block joins the outer one (its
    events are written, and get their ids, when the outer block ends)."""
    outer = _audit_batch.get()
    if outer is not None:
        yield outer
        return
    events: list[AuditEvent] = []
    token = _audit_batch.set(events)
    try:
        yield events
    finally:
        _audit_batch.reset(token)
    bulk_insert(events)


def audit_record_many(*, actor: Any | None, action: str, entries: Iterable[tuple[Any, dict[str, Any]]]) -> int:
    """Append one `action` event per (subject, changes) entry with one INSERT (a sweep's many changes)."""
    events = [_audit_event(actor, action, subject, changes, None) for subject, changes in entries]
    bulk_insert(events)
    return len(events)


def _audit_event(
    actor: Any | None, action: str, subject: Any, changes: dict[str, Any] | None, subject_label: str | None
) -> AuditEvent:
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor is not None else "system",
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        subject_label=(subject_label if subject_label is not None else str(subject))[:200],
        changes=changes or {},
    )


def audit_seal_pending(*, batch_size: int = 1000) -> AuditSeal | None:
    """Seal the committed, unsealed audit rows (up to `batch_size`) into one chained batch."""
    with transaction.atomic():
        # The lock row serialises sealers so two workers never chain from the same seal.
        NumberSequence.objects.get_or_create(key="audit-seal")
        NumberSequence.objects.select_for_update().get(key="audit-seal")
        events = list(AuditEvent.objects.filter(seal__isnull=True).order_by("id")[:batch_size])
        if not events:
            return None
        previous = AuditSeal.objects.order_by("-id").first()
        row_hashes = [event_hash(e) for e in events]
        seal = AuditSeal.objects.create(
            sealed_at=timezone.now(),
            first_event_id=events[0].pk,
            last_event_id=events[-1].pk,
            event_count=len(events),
            previous_hash=previous.seal_hash if previous else GENESIS_HASH,
            seal_hash=seal_hash(previous.seal_hash if previous else GENESIS_HASH, row_hashes),
        )
        for event, row_hash in zip(events, row_hashes, strict=True):
            event.seal = seal
            event.row_hash = row_hash
        AuditEvent.objects.bulk_update(events, ["seal", "row_hash"], batch_size=500)
        return seal


def search_index_replace(*, kind: str, object_id: int, text: str) -> None:
    """Replace the search tokens of one record."""
    search_index_replace_many(kind=kind, texts=[(object_id, text)])


def search_index_replace_many(*, kind: str, texts: Sequence[tuple[int, str]]) -> None:
    """Replace the search tokens of many records (one DELETE, then as `search_index_bulk` writes)."""
    SearchToken.objects.filter(kind=kind, object_id__in=[pk for pk, _text in texts]).delete()
    search_index_bulk(kind=kind, texts=texts)


def search_words_replace(*, kind: str, records: Sequence[tuple[models.Model, str]]) -> None:
    """Make saved records of one model findable by new words: their lower-cased `search_text` (one
    UPDATE) and their search tokens."""
    if not records:
        return
    for record, text in records:
        record.search_text = text.lower()  # type: ignore[attr-defined]
    type(records[0][0])._default_manager.bulk_update([record for record, _text in records], ["search_text"])
    search_index_replace_many(kind=kind, texts=[(record.pk, text) for record, text in records])


COPY_MIN_ROWS = 20  # below this a multi-row INSERT is as cheap as a COPY and its extra statement

# Fields whose Python value COPY takes as it is: for them the ORM's preparation of each value (most of
# the cost of writing a batch) changes nothing, datetimes being aware as everywhere in Kefu. Exact
# types: a subclass (an encrypted text) is prepared.
_AS_IS_FIELDS = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateTimeField,
    models.EmailField,
    models.IntegerField,
    models.PositiveBigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.TextField,
}


def _taken_as_is(field: models.Field[Any, Any]) -> bool:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    target = getattr(field, "target_field", field) if field.is_relation else field  # a key holds its target's value
    return type(target) in _AS_IS_FIELDS


def _copy_row(fields: Sequence[models.Field[Any, Any]]) -> Callable[[models.Model], list[Any]]:
    """How to read one object's row for COPY: its values as they are, prepared where the field needs it."""
    readers = [attrgetter(field.attname) if _taken_as_is(field) else partial(_prepared, field) for field in fields]
    return lambda obj: [read(obj) for read in readers]


def _prepared(field: models.Field[Any, Any], obj: models.Model) -> Any:
    return field.get_db_prep_save(field.pre_save(obj, True), connection)


def bulk_insert(objs: Sequence[models.Model]) -> None:
    """`bulk_create` for many new rows of one model (the cases of a batch, their clocks and audit
    events): on PostgreSQL their ids come from the table's sequence in one statement and the rows go
    by COPY, which spares building, quoting and parsing one large INSERT: most of the cost of a
    batch of cases. The objects get their ids either way."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    fields = [meta.pk, *(f for f in meta.concrete_fields if not f.primary_key)]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) AS id FROM generate_series(1, %s) ORDER BY id",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            # What bulk_create does first: a related object given instead of its id lends its id.
            obj._prepare_related_fields_for_save(operation_name="bulk_insert")  # type: ignore[attr-defined]
            obj.pk = pk
        row = _copy_row(fields)
        columns = ", ".join(qn(str(f.column)) for f in fields)
        with cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(row(obj))
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


SEARCH_INSERT_ROWS = 1000  # rows per INSERT: 3,000 parameters, within every backend's limit


def search_index_bulk(*, kind: str, texts: Iterable[tuple[int, str]]) -> int:
    """Index many new records at once (imports, demo data, each case received); returns the number of
    tokens written, without a model instance per token (a case has 50-60 of them)."""
    rows = [(kind, token, pk) for pk, text in texts for token in tokens_for(text)]
    qn = connection.ops.quote_name
    table, columns = qn(SearchToken._meta.db_table), ", ".join(qn(c) for c in ("kind", "token", "object_id"))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > SEARCH_INSERT_ROWS:
            # COPY for an import: a million records write several million tokens.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return len(rows)
        for start in range(0, len(rows), SEARCH_INSERT_ROWS):
            chunk = rows[start : start + SEARCH_INSERT_ROWS]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                [value for row in chunk for value in row],
            )
    return len(rows)


def number_next(*, prefix: str, day: dt.date | None = None) -> str:
    """Allocate the next human-readable number for `prefix` today, e.g. TS-20261122-0007.

    One statement, atomic on its own: outside a transaction the counter row is locked only while it
    runs; inside the caller's transaction, until that ends (and a rollback gives the number back)."""
    return numbers_next(prefix=prefix, day=day, count=1)[0]


def numbers_next(*, prefix: str, day: dt.date | None = None, count: int) -> list[str]:
    """Allocate `count` consecutive numbers for `prefix` at once (a batch of cases): one statement."""
    day = day or timezone.localdate()
    key = f"{prefix}-{day:%Y%m%d}"
    last = _sequence_increment(key, count)
    if last is None:  # the first number of the day
        NumberSequence.objects.get_or_create(key=key)
        last = _sequence_increment(key, count)
    assert last is not None  # noqa: S101  (the row exists now)
    return [f"{key}-{value:04d}" for value in range(last - count + 1, last + 1)]


def _sequence_increment(key: str, count: int) -> int | None:
    """Add `count` to the sequence `key` and read the new value in one statement; None when it does not exist."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {qn(NumberSequence._meta.db_table)} SET {qn('last_value')} = {qn('last_value')} + %s "  # noqa: S608
            f"WHERE {qn('key')} = %s RETURNING {qn('last_value')}",
            [count, key],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def calendar_set_weekly_hours(*, actor: Any, calendar: WorkCalendar, weekly_hours: dict[str, Any]) -> None:
    try:
        parse_weekly_hours(weekly_hours)
    except CalendarError as exc:
        raise DomainError(str(exc), field="weekly_hours") from exc
    before = calendar.weekly_hours
    calendar.weekly_hours = weekly_hours
    calendar.version += 1
    calendar.save(update_fields=["weekly_hours", "version"])
    audit_record(
        actor=actor,
        action="core.calendar.hours_changed",
        subject=calendar,
        changes={"weekly_hours": [before, weekly_hours]},
    )


def calendar_day_set(*, actor: Any, calendar: WorkCalendar, date: dt.date, kind: str, note: str = "") -> CalendarDay:
    """Enter a closure or an extra working day; replaces an earlier entry for the same date."""
    if kind not in CalendarDay.Kind.values:
        raise DomainError(_("Unknown kind of calendar day."), field="kind")
    day, _created = CalendarDay.objects.update_or_create(
        calendar=calendar, date=date, defaults={"kind": kind, "note": note}
    )
    audit_record(
        actor=actor,
        action="core.calendar.day_set",
        subject=calendar,
        changes={"date": date.isoformat(), "kind": kind, "note": note},
    )
    return day


def calendar_day_remove(*, actor: Any, calendar: WorkCalendar, date: dt.date) -> None:
    deleted, _detail = CalendarDay.objects.filter(calendar=calendar, date=date).delete()
    if deleted:
        audit_record(
            actor=actor,
            action="core.calendar.day_removed",
            subject=calendar,
            changes={"date": date.isoformat()},
        )
