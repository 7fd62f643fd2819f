"""Audit trail: append-only rows, hash-chained seals and their verification."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kefu.core.audit import GENESIS_HASH
from kefu.core.models import AppendOnlyError, AuditEvent, AuditSeal, WorkCalendar
from kefu.core.selectors import audit_for_subjects, audit_unsealed_count, audit_verify, subject_key
from kefu.core.services import audit_record, audit_seal_pending
from kefu.core.tasks import seal_audit_events

pytestmark = pytest.mark.django_db

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def subject():
    return WorkCalendar.objects.create(name="audited", weekly_hours={"1": [["09:00", "18:00"]]})


def record(subject, n: int, *, actor=None) -> list[AuditEvent]:
    return [
        audit_record(actor=actor, action="test.changed", subject=subject, changes={"n": [i, i + 1], "备注": "变更"})
        for i in range(n)
    ]


def run_verify() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify-audit", "--seal", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_audit_record_stores_who_did_what_to_which_record(subject, people):
    """An audit row names the actor, the action, the subject and the before/after values."""
    event = audit_record(actor=people["agent"], action="test.renamed", subject=subject, changes={"name": ["a", "b"]})
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == people["agent"]
    assert stored.actor_label == str(people["agent"])
    assert (stored.subject_type, stored.subject_id) == ("core.workcalendar", str(subject.pk))
    assert stored.subject_label == "audited"
    assert stored.changes == {"name": ["a", "b"]}
    assert stored.seal is None
    assert list(audit_for_subjects([subject_key(subject)])) == [stored]


def test_system_actions_are_labelled_system(subject):
    """Without an actor the row says the system did it."""
    event = audit_record(actor=None, action="test.auto", subject=subject)
    assert event.actor is None
    assert event.actor_label == "system"


def test_sealing_chains_batches(subject):
    """Each seal covers the pending rows and chains to the previous seal's hash."""
    first_events = record(subject, 3)
    first = audit_seal_pending()
    second_events = record(subject, 2)
    second = audit_seal_pending()

    assert first is not None and second is not None
    assert first.previous_hash == GENESIS_HASH
    assert second.previous_hash == first.seal_hash
    assert (first.event_count, second.event_count) == (3, 2)
    assert (first.first_event_id, first.last_event_id) == (first_events[0].pk, first_events[-1].pk)
    assert set(AuditEvent.objects.filter(seal=second).values_list("pk", flat=True)) == {e.pk for e in second_events}
    assert not AuditEvent.objects.filter(seal__isnull=True).exists()
    assert audit_verify() == []


def test_sealing_respects_batch_size(subject):
    """A batch size smaller than the backlog seals in several chained seals."""
    record(subject, 5)
    seals = []
    while (seal := audit_seal_pending(batch_size=2)) is not None:
        seals.append(seal)
    assert [s.event_count for s in seals] == [2, 2, 1]
    assert audit_unsealed_count() == 0
    assert audit_verify() == []


def test_sealing_twice_is_idempotent(subject):
    """Running the sealer again with nothing pending makes no new seal and changes nothing."""
    record(subject, 3)
    assert audit_seal_pending() is not None
    hashes_before = list(AuditEvent.objects.order_by("id").values_list("seal_id", "row_hash"))

    assert audit_seal_pending() is None
    assert seal_audit_events.enqueue().return_value == 0

    assert AuditSeal.objects.count() == 1
    assert list(AuditEvent.objects.order_by("id").values_list("seal_id", "row_hash")) == hashes_before


def test_seal_task_seals_everything_pending(subject):
    """The periodic seal task seals the whole backlog and reports how many seals it made."""
    record(subject, 4)
    assert seal_audit_events.enqueue().return_value == 1
    assert audit_unsealed_count() == 0


def test_verification_passes_on_an_intact_trail(subject, people):
    """verify-audit --seal seals pending rows and reports an intact trail."""
    record(subject, 3, actor=people["agent"])
    audit_seal_pending()
    record(subject, 2)

    out, err = run_verify()

    assert "audit trail intact; 0 event(s) not sealed yet" in out
    assert err == ""
    assert AuditSeal.objects.count() == 2


def test_verification_passes_on_an_empty_trail():
    """A fresh installation has no seal yet and verifies clean."""
    assert not AuditSeal.objects.exists()
    assert audit_verify() == []


def test_editing_a_sealed_row_with_raw_sql_is_detected(subject):
    """An UPDATE behind the model's back changes the row hash: verification fails with CommandError."""
    events = record(subject, 3)
    audit_seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = %s WHERE id = %s", ["test.innocent", events[1].pk])  # noqa: S608

    problems = audit_verify()
    assert [(p.event_id, p.message) for p in problems] == [(events[1].pk, "event was changed after it was sealed")]
    with pytest.raises(CommandError, match="1 problem"):
        run_verify()


def test_editing_changes_of_a_sealed_row_is_detected(subject):
    """Rewriting the before/after values of a sealed row is detected."""
    events = record(subject, 2)
    audit_seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET changes = %s WHERE id = %s", ['{"n": [0, 99]}', events[0].pk])  # noqa: S608
    assert any(p.event_id == events[0].pk for p in audit_verify())


def test_editing_row_and_its_hash_together_is_detected(subject):
    """An attacker who also rewrites row_hash still breaks the seal hash."""
    events = record(subject, 2)
    audit_seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["someone else", events[0].pk])  # noqa: S608
    from kefu.core.audit import event_hash

    forged = event_hash(AuditEvent.objects.get(pk=events[0].pk))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET row_hash = %s WHERE id = %s", [forged, events[0].pk])  # noqa: S608

    messages = [p.message for p in audit_verify()]
    assert "seal hash does not match its events" in messages


def test_deleting_a_sealed_row_is_detected(subject):
    """A sealed row removed with raw SQL makes the seal's count and hash wrong."""
    events = record(subject, 3)
    audit_seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [events[1].pk])  # noqa: S608

    messages = [p.message for p in audit_verify()]
    assert "seal covers 3 events, 2 found" in messages
    assert "seal hash does not match its events" in messages
    with pytest.raises(CommandError):
        run_verify()


def test_deleting_a_whole_seal_in_the_middle_is_detected(subject):
    """Removing a seal and its rows breaks the chain of the following seal."""
    record(subject, 1)
    audit_seal_pending()
    middle = record(subject, 1)
    middle_seal = audit_seal_pending()
    record(subject, 1)
    audit_seal_pending()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [middle[0].pk])  # noqa: S608
        cursor.execute(f"DELETE FROM {AuditSeal._meta.db_table} WHERE id = %s", [middle_seal.pk])  # noqa: S608

    messages = [p.message for p in audit_verify()]
    assert messages == ["seal does not chain to the previous seal"]


def test_saving_an_existing_audit_row_raises(subject):
    """AuditEvent.save() on a stored row raises AppendOnlyError and leaves the row unchanged."""
    event = audit_record(actor=None, action="test.original", subject=subject)
    event.action = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.original"


def test_deleting_an_audit_row_raises(subject):
    """AuditEvent.delete() raises AppendOnlyError and the row stays."""
    event = audit_record(actor=None, action="test.original", subject=subject)
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_unsealed_rows_are_reported_not_failed(subject):
    """verify-audit without --seal passes and counts rows still waiting for the sealer."""
    record(subject, 2)
    out = StringIO()
    call_command("verify-audit", stdout=out)
    assert f"{audit_unsealed_count()} event(s) not sealed yet" in out.getvalue()
    assert audit_unsealed_count() >= 2


def test_bulk_delete_of_audit_rows_raises(subject):
    """QuerySet.delete() cannot bypass the append-only rule either."""
    events = record(subject, 2)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk__in=[e.pk for e in events]).delete()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in events]).count() == 2


def test_bulk_update_of_audit_content_raises(subject):
    """QuerySet.update() of what a row says raises; the rows keep their content."""
    events = record(subject, 2)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=events[0].pk).update(action="test.rewritten")
    assert AuditEvent.objects.get(pk=events[0].pk).action == "test.changed"
