"""bulk_insert: many new rows of one model, by COPY on PostgreSQL, as bulk_create writes them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from kefu.core.models import AuditEvent, WorkCalendar
from kefu.core.services import COPY_MIN_ROWS, bulk_insert
from kefu.customers.models import Contact
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db

MANY = COPY_MIN_ROWS + 5  # enough for the COPY path on PostgreSQL


@pytest.mark.parametrize("count", [3, MANY])
def test_rows_get_their_ids_in_order_and_read_back_as_written(people, count):
    subject = WorkCalendar.objects.create(name="bulk", weekly_hours={"1": [["09:00", "18:00"]]})
    at = timezone.now().replace(microsecond=123456) - dt.timedelta(days=1)
    events = [
        AuditEvent(
            occurred_at=at + dt.timedelta(seconds=i),
            actor=people["agent"],  # the related object, not its id: bulk_insert takes the id from it
            actor_label="坐席 agent",
            action="test.bulk",
            subject_type="core.workcalendar",
            subject_id=str(subject.pk),
            subject_label=f"日历 {i}",
            changes={"n": i, "备注": ["变更", None, 1.5]},
        )
        for i in range(count)
    ]

    bulk_insert(events)

    ids = [event.pk for event in events]
    assert None not in ids and ids == sorted(set(ids))
    assert not any(event._state.adding for event in events)
    stored = {e.pk: e for e in AuditEvent.objects.filter(action="test.bulk")}
    assert len(stored) == count
    for i, event in enumerate(events):
        row = stored[event.pk]
        assert (row.occurred_at, row.actor_id, row.actor_label, row.subject_label, row.changes) == (
            at + dt.timedelta(seconds=i),
            people["agent"].pk,
            "坐席 agent",
            f"日历 {i}",
            {"n": i, "备注": ["变更", None, 1.5]},
        )


def test_encrypted_fields_are_stored_encrypted(people):
    customer = make_customer(name="批量联系人客户")
    contacts = [Contact(customer=customer, name=f"联系人{i}", mobile=f"1380000{i:04d}") for i in range(MANY)]

    bulk_insert(contacts)

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT mobile FROM {Contact._meta.db_table} WHERE id = %s", [contacts[7].pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert raw and "13800000007" not in raw
    assert Contact.objects.get(pk=contacts[7].pk).mobile == "13800000007"


def test_nothing_to_insert_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        bulk_insert([])
