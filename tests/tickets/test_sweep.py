"""The escalation sweep: warn once before a breach, mark the breach, escalate one level per interval,
and stay idempotent when run twice (or on two machines) at the same moment."""

from __future__ import annotations

import pytest
import time_machine

from kefu.core.models import AuditEvent
from kefu.tickets.choices import EscalationLevel, Metric
from kefu.tickets.models import Case, CaseClock
from kefu.tickets.services import case_judge, case_wait_for_customer, clocks_sweep
from tests.tickets.conftest import sh

RECEIVED = sh(2025, 10, 14, 9, 0)  # Tuesday; the first response is due 10:00, warned from 09:30
NOTHING = {"warned": 0, "breached": 0, "escalated": 0}


@pytest.fixture(autouse=True)
def _hours(office_hours):
    return office_hours


@pytest.fixture
def inquiry(receive):
    """An inquiry (建议与咨询): its first response is the only clock that can fall due today."""
    with time_machine.travel(RECEIVED, tick=False):
        return receive(
            received_at=RECEIVED, kind="inquiry", nature="", category=None, title="运费咨询", description="问运费"
        )


def _clock(case: Case, metric: str = Metric.FIRST_RESPONSE) -> CaseClock:
    return CaseClock.objects.get(case=case, metric=metric)


def _level(case: Case) -> int:
    return Case.objects.get(pk=case.pk).escalation_level


def test_the_owner_is_warned_once_before_the_breach(inquiry):
    assert _clock(inquiry).warn_at == sh(2025, 10, 14, 9, 30)
    assert clocks_sweep(now=sh(2025, 10, 14, 9, 29)) == NOTHING
    assert clocks_sweep(now=sh(2025, 10, 14, 9, 31)) == {"warned": 1, "breached": 0, "escalated": 0}
    assert clocks_sweep(now=sh(2025, 10, 14, 9, 45)) == NOTHING
    assert _clock(inquiry).warned_at == sh(2025, 10, 14, 9, 31)
    assert _level(inquiry) == EscalationLevel.AGENT


def test_at_the_breach_the_clock_is_marked_and_the_case_escalates_once(inquiry):
    counts = clocks_sweep(now=sh(2025, 10, 14, 10, 0))
    assert (counts["breached"], counts["escalated"]) == (1, 1)
    assert _clock(inquiry).breached_at == sh(2025, 10, 14, 10, 0)
    assert _level(inquiry) == EscalationLevel.SUPERVISOR
    assert AuditEvent.objects.filter(action="tickets.case.escalated").count() == 1


def test_running_the_sweep_twice_at_the_same_moment_escalates_once(inquiry):
    moment = sh(2025, 10, 14, 10, 5)
    first = clocks_sweep(now=moment)
    second = clocks_sweep(now=moment)
    assert first == {"warned": 0, "breached": 1, "escalated": 1}
    assert second == NOTHING
    assert _level(inquiry) == EscalationLevel.SUPERVISOR
    assert _clock(inquiry).escalations == 1


def test_each_later_interval_escalates_one_more_level_up_to_the_general_manager(inquiry):
    """Interval 60 min: 10:00 supervisor, 11:00 manager, 12:00 general manager, then no higher."""
    steps = [
        (sh(2025, 10, 14, 10, 0), EscalationLevel.SUPERVISOR),
        (sh(2025, 10, 14, 10, 59), EscalationLevel.SUPERVISOR),
        (sh(2025, 10, 14, 11, 0), EscalationLevel.MANAGER),
        (sh(2025, 10, 14, 12, 0), EscalationLevel.GENERAL_MANAGER),
        (sh(2025, 10, 14, 13, 0), EscalationLevel.GENERAL_MANAGER),
        (sh(2025, 10, 14, 16, 0), EscalationLevel.GENERAL_MANAGER),
    ]
    for moment, level in steps:
        clocks_sweep(now=moment)
        assert _level(inquiry) == level, moment
    assert AuditEvent.objects.filter(action="tickets.case.escalated").count() == 3


def test_a_late_sweep_catches_up_one_level_per_missed_interval(inquiry):
    """A worker down for two hours after the breach still lands on the right level, not further."""
    counts = clocks_sweep(now=sh(2025, 10, 14, 12, 0))
    assert counts == {"warned": 0, "breached": 1, "escalated": 3}
    assert _level(inquiry) == EscalationLevel.GENERAL_MANAGER


def test_a_major_case_starts_at_the_manager_and_escalates_once_to_the_general_manager(receive):
    with time_machine.travel(RECEIVED, tick=False):
        case = receive(
            received_at=RECEIVED,
            kind="inquiry",
            nature="",
            category=None,
            severity="major",
            title="大客户",
            description="急",
        )
    assert _level(case) == EscalationLevel.MANAGER
    assert clocks_sweep(now=sh(2025, 10, 14, 10, 0))["escalated"] == 1
    assert clocks_sweep(now=sh(2025, 10, 14, 11, 0))["escalated"] == 0
    assert _level(case) == EscalationLevel.GENERAL_MANAGER


def test_a_paused_clock_is_neither_warned_nor_breached(staff, inquiry):
    with time_machine.travel(sh(2025, 10, 14, 9, 10), tick=False):
        case_wait_for_customer(actor=staff["agent"], case=inquiry, waiting=True)
    assert clocks_sweep(now=sh(2025, 10, 14, 9, 45)) == NOTHING
    assert clocks_sweep(now=sh(2025, 10, 14, 12, 0)) == NOTHING
    clock = _clock(inquiry)
    assert (clock.warned_at, clock.breached_at, clock.escalations) == (None, None, 0)
    assert _level(inquiry) == EscalationLevel.AGENT


def test_a_stopped_clock_is_ignored(staff, inquiry):
    """Judged in time: the first-response clock stops and never breaches."""
    with time_machine.travel(sh(2025, 10, 14, 9, 20), tick=False):
        case_judge(
            actor=staff["agent"],
            case=inquiry,
            valid=True,
            note="已答复",
            department=staff["transport_member"].department,
        )
    clocks_sweep(now=sh(2025, 10, 14, 9, 40))  # the department-accept clock falls due 09:35
    assert _clock(inquiry).breached_at is None
    assert _clock(inquiry).warned_at is None
    assert _clock(inquiry, Metric.DEPARTMENT_ACCEPT).breached_at == sh(2025, 10, 14, 9, 40)


def test_the_sweep_warns_nobody_after_the_deadline_has_passed(inquiry):
    """A sweep that first runs after the due time breaches without a belated warning."""
    assert clocks_sweep(now=sh(2025, 10, 14, 10, 30))["warned"] == 0
    assert _clock(inquiry).warned_at is None


def test_several_late_clocks_escalate_a_case_no_faster_than_its_most_overdue_clock(receive):
    """A hard complaint left alone breaches its 10-minute and 60-minute clocks; the case still rises one
    level per interval of the most overdue clock, not once per clock."""
    with time_machine.travel(RECEIVED, tick=False):
        case = receive(received_at=RECEIVED, kind="complaint", nature="hard", title="外箱破损", description="压坏")
    assert clocks_sweep(now=sh(2025, 10, 14, 10, 5))["escalated"] == 1  # report (09:10) and first response (10:00)
    assert _level(case) == EscalationLevel.SUPERVISOR  # one level, not one per late clock
    assert clocks_sweep(now=sh(2025, 10, 14, 10, 9))["escalated"] == 0
    assert clocks_sweep(now=sh(2025, 10, 14, 10, 11))["escalated"] == 1  # the report clock is an interval later
    assert _level(case) == EscalationLevel.MANAGER


def test_a_sweep_with_nothing_to_do_reads_no_clock_it_already_handled(inquiry, django_assert_max_num_queries):
    """After a breach is handled, the next sweep before the next interval does not revisit the clock."""
    clocks_sweep(now=sh(2025, 10, 14, 10, 5))
    with django_assert_max_num_queries(4) as captured:
        assert clocks_sweep(now=sh(2025, 10, 14, 10, 30)) == NOTHING
    reads = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(reads) == 2  # the warning query and the escalation query, both empty


def _inquiries(receive, count: int) -> list[Case]:
    with time_machine.travel(RECEIVED, tick=False):
        return [
            receive(received_at=RECEIVED, kind="inquiry", nature="", category=None, title=f"询价{i}", description="问")
            for i in range(count)
        ]


def test_the_sweep_is_set_based_its_statements_do_not_grow_with_the_changes(receive, django_assert_max_num_queries):
    """Forty cases breaching and escalating two levels cost the same few statements as one would."""
    cases = _inquiries(receive, 40)
    with django_assert_max_num_queries(20):
        counts = clocks_sweep(now=sh(2025, 10, 14, 11, 0))
    assert counts == {"warned": 0, "breached": 40, "escalated": 80}
    assert {_level(case) for case in cases} == {EscalationLevel.MANAGER}
    assert AuditEvent.objects.filter(action="tickets.case.escalated").count() == 80
    assert AuditEvent.objects.filter(action="tickets.case.breached").count() == 40


def test_each_level_reached_in_one_sweep_is_its_own_change(receive):
    """Two levels at once: two audit rows with their own level, and the case version moves once per level."""
    [case] = _inquiries(receive, 1)
    version = Case.objects.get(pk=case.pk).version
    clocks_sweep(now=sh(2025, 10, 14, 11, 0))
    levels = [e.changes["level"] for e in AuditEvent.objects.filter(action="tickets.case.escalated").order_by("pk")]
    assert levels == [EscalationLevel.SUPERVISOR, EscalationLevel.MANAGER]
    assert Case.objects.get(pk=case.pk).version == version + 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_running_at_the_same_time_change_each_clock_once(receive):
    """Two workers sweep the same moment in parallel threads (own connections): one level per interval,
    one audit row and one notification per change, however the work was split between them."""
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the test database on SQLite is in memory, shared between threads without locking")

    from kefu.notify.models import StaffNotification

    cases = _inquiries(receive, 30)
    moment = sh(2025, 10, 14, 11, 0)
    results: list[dict[str, int]] = []
    start = threading.Barrier(2)

    def sweep() -> None:
        try:
            start.wait()
            results.append(clocks_sweep(now=moment))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    assert sum(r["breached"] for r in results) == 30 and sum(r["escalated"] for r in results) == 60
    assert {_level(case) for case in cases} == {EscalationLevel.MANAGER}
    assert AuditEvent.objects.filter(action="tickets.case.escalated").count() == 60
    keys = list(
        StaffNotification.objects.filter(dedupe_key__contains="-escalated-").values_list("dedupe_key", flat=True)
    )
    assert keys and len(keys) == len(set(keys))
