"""The bench data generator writes what the services would have written: the app reads it back
through its own selectors, pages and API, and the same seed gives the same rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import time_machine
from django.db.models import Exists, F, OuterRef
from django.test import Client

from bench.data import GENERATORS, Plan, generator, ordered
from kefu.accounts.models import User
from kefu.core.models import AuditEvent, NumberSequence, SearchToken
from kefu.core.services import number_next
from kefu.customers import selectors as customer_selectors
from kefu.customers.filters import CustomerFilters
from kefu.customers.models import Customer
from kefu.tickets import selectors
from kefu.tickets.choices import OPEN_STATUSES, CaseKind, CaseStatus
from kefu.tickets.models import Case, CaseClock, Solution
from kefu.tickets.services import clocks_sweep
from tests.bench.conftest import NOW

LAST_ACTION = {
    "received": "received",
    "invalid": "judged_invalid",
    "assigned": "judged_valid",
    "investigating": ("accepted", "investigated"),
    "awaiting_approval": "solution_proposed",
    "implementing": "solution_approved",
    "awaiting_confirmation": "implemented",
    "resolved": "confirmed",
    "followed_up": "followed_up",
    "closed": "closed",
}


def test_every_kind_and_state_over_twelve_months(generated, db):
    assert Case.objects.count() == Plan.for_scale("tiny").cases == generated["cases"]["cases"]
    assert set(Case.objects.values_list("kind", flat=True)) == set(CaseKind.values)
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    oldest = Case.objects.order_by("received_at").first().received_at
    assert NOW - dt.timedelta(days=366) < oldest < NOW - dt.timedelta(days=300)
    open_share = Case.objects.filter(status__in=OPEN_STATUSES).count() / Case.objects.count()
    assert 0.1 < open_share < 0.35


def test_numbers_are_unique_per_day_and_the_services_continue_them(generated, db):
    numbers = list(Case.objects.values_list("number", "kind", "received_at"))
    assert len({n for n, _, _ in numbers}) == len(numbers)
    prefixes = {"complaint": "TS", "suggestion": "JY", "inquiry": "ZX", "service_request": "FW"}
    for number, kind, received_at in numbers:
        local = received_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
        assert re.fullmatch(rf"{prefixes[kind]}-{local:%Y%m%d}-\d{{4}}", number)
    latest = Case.objects.filter(kind="complaint").order_by("-received_at").first()
    prefix, day, serial = latest.number.split("-")
    sequence = NumberSequence.objects.get(key=f"{prefix}-{day}")
    assert sequence.last_value == int(serial)
    following = number_next(prefix=prefix, day=dt.date(int(day[:4]), int(day[4:6]), int(day[6:])))
    assert following == f"{prefix}-{day}-{int(serial) + 1:04d}"


def test_timeline_has_one_event_per_step_and_ends_with_the_status(generated, db):
    for case in Case.objects.order_by("pk")[:120]:
        timeline = selectors.case_timeline(case)
        actions = [e.action.removeprefix("tickets.case.") for e in timeline if e.subject_type == "tickets.case"]
        assert len(actions) == case.version
        assert actions[-1] == "received"  # newest first
        expected = LAST_ACTION[case.status]
        assert actions[0] in (expected if isinstance(expected, tuple) else (expected,))
        assert all(e.occurred_at <= NOW for e in timeline)


def test_generated_cases_are_found_by_the_apps_search(generated, db):
    supervisor = User.objects.get(username="supervisor1")
    case = Case.objects.filter(kind="complaint", title__contains="破损").first()
    assert case is not None
    for word in ("破损", case.title[:3], case.title[:4]):
        found = selectors.case_queue(user=supervisor, queue="all", q=word)
        assert case in found
        assert all(word in c.search_text for c in found)
    assert SearchToken.objects.filter(kind="case", object_id=case.pk, token="破损").exists()
    customer = Customer.objects.order_by("pk").first()
    manager = User.objects.get(username="csmanager")
    hits = customer_selectors.customer_list(user=manager, filters=CustomerFilters.model_validate({"q": customer.name}))
    assert customer in hits


def test_clocks_are_left_as_the_last_sweep_left_them(generated, db):
    closed = Case.objects.exclude(status__in=OPEN_STATUSES)
    assert not CaseClock.objects.filter(case__in=closed, stopped_at__isnull=True).exists()
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES)
    assert CaseClock.objects.filter(case__in=open_cases, stopped_at__isnull=True).count() >= open_cases.count()
    clocks = list(CaseClock.objects.all())
    assert all(c.started_at <= c.due_at and c.warn_at <= c.due_at for c in clocks)
    assert all(c.stopped_at is None or c.stopped_at >= c.started_at for c in clocks)
    running = [c for c in clocks if c.running]
    for case in open_cases.prefetch_related("clocks")[:80]:  # the stored next deadline the queues sort by
        dues = [c.due_at for c in case.clocks.all() if c.running]
        assert case.next_due_at == (min(dues) if dues else None)
    assert any(c.breached_at for c in running)
    with time_machine.travel(NOW, tick=False):
        breaching = selectors.case_queue(user=User.objects.get(username="supervisor1"), queue="breaching")
        assert breaching.exists()
        first = breaching.first()
        assert first.clocks.filter(stopped_at__isnull=True, paused_at__isnull=True).exists()
        counts = clocks_sweep()
    # Only what fell due in the 15 minutes since the last sweep changes, not months of backlog.
    assert counts["escalated"] <= len(running) // 5


def test_customers_carry_their_complaints(generated, db):
    complaints = Counter(Case.objects.filter(kind="complaint").values_list("customer_id", flat=True))
    for customer in Customer.objects.filter(pk__in=list(complaints)[:20]):
        assert customer.complaint_count == complaints[customer.pk]
        assert (
            AuditEvent.objects.filter(action="customers.customer.complained", subject_id=str(customer.pk)).count()
            == complaints[customer.pk]
        )


def test_cases_carry_their_customers_team_so_agents_see_them(generated, db):
    assert Case.objects.filter(customer__team__isnull=False).exists()
    assert not Case.objects.exclude(team_id=F("customer__team_id")).filter(customer__isnull=False).exists()
    agent = User.objects.filter(role="agent", team__isnull=False).first()
    team_cases = Case.objects.filter(team_id=agent.team_id).values_list("pk", flat=True)
    assert set(team_cases) <= set(selectors.cases_visible(agent).values_list("pk", flat=True))


def test_pages_and_api_open_generated_cases(generated, db):
    client = Client()
    client.force_login(User.objects.get(username="supervisor1"))
    case = Case.objects.filter(status="closed").order_by("pk").first()
    assert client.get(f"/cases/{case.pk}/").status_code == 200
    assert client.get("/cases/?queue=open").status_code == 200
    assert client.get(f"/api/v1/cases/{case.pk}").json()["number"] == case.number
    assert _dangling_references() == []


def _dangling_references() -> list[str]:
    """Foreign keys pointing at no row (the bulk load writes with constraints off on PostgreSQL)."""
    dangling = []
    for model in (Case, CaseClock, Customer, Solution):
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one:
                target = field.related_model._default_manager.filter(pk=OuterRef(field.attname))
                rows = model._default_manager.filter(**{f"{field.attname}__isnull": False}).exclude(Exists(target))
                if rows.exists():
                    dangling.append(f"{model.__name__}.{field.name}")
    return dangling


def test_later_generators_plug_in_after_what_they_need():
    @generator("bench_test_orders", after=("customers",))
    def orders(ctx):
        return {}

    try:
        names = [g.name for g in ordered(["bench_test_orders"])]
        assert names == ["staff", "customers", "bench_test_orders"]
    finally:
        GENERATORS.pop("bench_test_orders")
