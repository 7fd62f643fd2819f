"""The daily job: tasks from the rules, never twice, outside rest times, key customers all covered."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from kefu.visits.choices import TaskStatus
from kefu.visits.models import VisitRule, VisitTask
from kefu.visits.selectors import visit_coverage
from kefu.visits.services import policy, visit_record_outcome, visit_tasks_generate
from kefu.visits.timing import is_resting, parse_periods
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 11, 23)


def _grade(customer, grade, *, key=False):
    """Set the computed grade directly: the grade rules are not what these tests are about."""
    type(customer).objects.filter(pk=customer.pk).update(grade=grade, is_key=key)
    customer.refresh_from_db()
    return customer


@pytest.fixture
def customers(people, teams):
    return {
        "key": _grade(make_customer(name="重点客户甲", account_manager=people["agent"]), "A", key=True),
        "a": _grade(make_customer(name="甲类客户", team=teams["cs_east"]), "A"),
        "b": _grade(make_customer(name="乙类客户", team=teams["cs_south"]), "B"),
        "c": _grade(make_customer(name="丙类客户"), "C"),
    }


def test_running_the_job_twice_creates_the_same_tasks(customers):
    first = visit_tasks_generate(day=DAY)
    tasks = set(VisitTask.objects.values_list("id", "rule__code", "customer_id", "occasion", "due_at"))
    second = visit_tasks_generate(day=DAY)
    assert sum(first.values()) == 4
    assert sum(second.values()) == 0
    assert set(VisitTask.objects.values_list("id", "rule__code", "customer_id", "occasion", "due_at")) == tasks


def test_each_grade_gets_its_periodic_rule(customers):
    visit_tasks_generate(day=DAY)
    rule_of = dict(VisitTask.objects.values_list("customer_id", "rule__code"))
    assert rule_of == {
        customers["key"].pk: "key-monthly",
        customers["a"].pk: "grade-a-monthly",
        customers["b"].pk: "grade-b-quarterly",
        customers["c"].pk: "grade-c-half-yearly",
    }
    occasions = dict(VisitTask.objects.values_list("rule__code", "occasion"))
    assert occasions["grade-b-quarterly"] == "2026-10/3m"
    assert occasions["grade-c-half-yearly"] == "2026-07/6m"


def test_a_new_period_gets_new_tasks(customers):
    visit_tasks_generate(day=DAY)
    created = visit_tasks_generate(day=dt.date(2026, 12, 1))
    assert created["key-monthly"] == 1 and created["grade-a-monthly"] == 1
    assert created["grade-b-quarterly"] == 0 and created["grade-c-half-yearly"] == 0


def test_tasks_go_to_the_account_manager_or_the_team_queue(customers, people, teams):
    visit_tasks_generate(day=DAY)
    key_task = VisitTask.objects.get(customer=customers["key"])
    team_task = VisitTask.objects.get(customer=customers["a"])
    assert key_task.assignee == people["agent"]
    assert team_task.assignee is None and team_task.team == teams["cs_east"]


def test_no_task_is_due_inside_rest_times(customers):
    periods = parse_periods(policy().rest_hours)
    visit_tasks_generate(day=DAY)
    for due in VisitTask.objects.values_list("due_at", flat=True):
        local = timezone.localtime(due, SHANGHAI)
        assert not is_resting(local, periods), local
        assert local.date() >= DAY


def test_rest_times_are_configurable(customers):
    visit_tasks_generate(day=DAY)
    VisitTask.objects.all().delete()
    policy_row = policy()
    policy_row.rest_hours = "00:00-11:00,21:00-23:59"
    policy_row.save()
    visit_tasks_generate(day=DAY)
    for due in VisitTask.objects.values_list("due_at", flat=True):
        assert timezone.localtime(due, SHANGHAI).time() >= dt.time(11, 0)


def test_the_contacts_preferred_time_is_respected(people):
    customer = _grade(
        make_customer(
            name="偏好时间客户",
            contacts=[{"name": "李总", "preferred_contact_time": "工作日 15:30-17:00", "is_primary": True}],
        ),
        "A",
        key=True,
    )
    visit_tasks_generate(day=DAY)
    due = timezone.localtime(VisitTask.objects.get(customer=customer).due_at, SHANGHAI)
    assert dt.time(15, 30) <= due.time() < dt.time(17, 0)


def test_every_key_customer_is_covered_each_month(people):
    keys = [_grade(make_customer(name=f"重点{i}"), "A" if i % 2 else "B", key=True) for i in range(6)]
    visit_tasks_generate(day=DAY)
    covered = set(VisitTask.objects.filter(rule__code="key-monthly").values_list("customer_id", flat=True))
    assert covered == {c.pk for c in keys}
    # ... and the grade rules leave them to the key-customer rule (no second call the same month)
    assert VisitTask.objects.count() == len(keys)


def test_key_customer_coverage_in_the_report(people):
    keys = [_grade(make_customer(name=f"重点{i}"), "A", key=True) for i in range(4)]
    visit_tasks_generate(day=DAY)
    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=SHANGHAI)):
        for customer in keys[:3]:
            task = VisitTask.objects.get(customer=customer)
            visit_record_outcome(actor=None, task=task, outcome="satisfied", evaluation="很好")
    coverage = visit_coverage(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert coverage.key_customers == 4
    assert coverage.key_customers_visited == 3
    assert coverage.key_coverage_pct == 75.0
    assert coverage.outcomes == {"satisfied": 3}
    assert coverage.reach_rate_pct == 100.0


def test_inactive_rules_and_customers_generate_nothing(customers):
    VisitRule.objects.filter(code="grade-b-quarterly").update(is_active=False)
    type(customers["c"]).objects.filter(pk=customers["c"].pk).update(is_active=False)
    visit_tasks_generate(day=DAY)
    assert not VisitTask.objects.filter(customer__in=[customers["b"], customers["c"]]).exists()
    assert VisitTask.objects.filter(status=TaskStatus.OPEN).count() == 2


def test_anniversary_visit_on_the_day_cooperation_started(people):
    customer = make_customer(name="周年客户", cooperation_start=dt.date(2020, 11, 23))
    make_customer(name="别的日子", cooperation_start=dt.date(2020, 11, 22))
    visit_tasks_generate(day=DAY)
    assert list(VisitTask.objects.filter(rule__code="anniversary").values_list("customer", flat=True)) == [customer.pk]
