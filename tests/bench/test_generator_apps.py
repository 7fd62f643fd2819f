"""The generators of operations, visits, surveys and standards write what the apps read: their own
selectors and pages open the generated records, and the KPI report computes figures from them."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.db.models import Count
from django.test import Client

from bench.data import Plan
from kefu.accounts.models import User
from kefu.core.models import NumberSequence
from kefu.core.services import number_next
from kefu.operations import selectors as operations
from kefu.operations.choices import EventKind
from kefu.operations.filters import ExceptionFilters, ShipmentFilters
from kefu.operations.models import Order, Shipment, ShipmentException, ShipmentLine, StockItem, TrackingEvent
from kefu.standards.selectors import kpi_report
from kefu.surveys.models import Answer, Response, Survey
from kefu.surveys.selectors import satisfaction_index
from kefu.tickets.models import Case
from kefu.visits.choices import TaskStatus
from kefu.visits.models import VisitTask
from kefu.visits.selectors import visit_coverage
from tests.bench.conftest import NOW

LAST_MONTH = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_shipments_with_lines_and_five_events_open_on_their_page(generated, db):
    count = Plan.for_scale("tiny").shipments
    assert Order.objects.count() == Shipment.objects.count() == ShipmentLine.objects.count() == count
    plain = Shipment.objects.filter(exceptions__isnull=True, status="delivered").order_by("pk")
    shipment = plain[plain.count() // 2]
    supervisor = User.objects.get(username="supervisor1")
    detail = operations.shipment_detail(operations.shipment_get(user=supervisor, pk=shipment.pk))
    assert [e.kind for e in detail["events"]] == [
        "picked_up",
        "departed",
        "arrived_hub",
        "out_for_delivery",
        "delivered",
    ]
    assert len(detail["lines"]) == 1
    page = _client("supervisor1").get(f"/operations/shipments/{shipment.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert shipment.number in html
    assert html.count(detail["events"][0].place) >= 1
    found = operations.shipment_list(user=supervisor, filters=ShipmentFilters(q=shipment.number))
    assert list(found) == [shipment]
    listing = _client("supervisor1").get(f"/operations/shipments/?q={shipment.number}")
    assert listing.status_code == 200
    assert shipment.number in listing.content.decode()


def test_shipments_are_spread_over_the_states_of_a_carrier_s_book(generated, db):
    statuses = dict(Shipment.objects.values_list("status").annotate(n=Count("id")))
    assert statuses["dispatched"] and statuses["in_transit"]
    assert statuses["delivered"] > 0.9 * sum(statuses.values())
    for shipment in Shipment.objects.exclude(status="delivered").prefetch_related("events"):
        kinds = [e.kind for e in shipment.events.all()]
        assert shipment.delivered_at is None and shipment.on_time is None and not shipment.signed_by
        assert "delivered" not in kinds and "signed" not in kinds
        assert (shipment.status == "dispatched") == (shipment.departed_at is None)
    delivered = Shipment.objects.filter(status="delivered")
    assert delivered.filter(on_time=False).exists() and delivered.filter(intact=False).exists()
    assert generated["operations"]["dispatched"] + generated["operations"]["stuck"] >= 1


def test_stock_takes_give_the_inventory_intact_rate(generated, db):
    ratio = operations.kpi_inventory_intact(NOW - dt.timedelta(days=365), NOW)
    assert ratio.denominator > 0 and 0.98 < ratio.rate < 1
    item = StockItem.objects.order_by("pk").first()
    last = item.takes.order_by("-taken_at").first()
    assert item.on_hand == last.counted - last.damaged


def test_exceptions_are_linked_to_complaints_and_numbered_like_the_service(generated, db):
    exceptions = list(ShipmentException.objects.select_related("shipment"))
    assert exceptions
    cases = {c.number: c for c in Case.objects.filter(number__in=[e.case_number for e in exceptions])}
    for exception in exceptions:
        case = cases[exception.case_number]
        assert case.customer_id == exception.shipment.customer_id
        assert exception.kind == case.category.code
        assert exception.customer_notified_at is not None
        assert re.fullmatch(r"YC-\d{8}-\d{4}", exception.number)
        assert TrackingEvent.objects.filter(
            shipment=exception.shipment, kind=EventKind.EXCEPTION, occurred_at=exception.reported_at
        ).exists()
    latest = max(exceptions, key=lambda e: e.number)
    _prefix, day, serial = latest.number.split("-")
    assert NumberSequence.objects.get(key=f"YC-{day}").last_value >= int(serial)
    following = number_next(prefix="YC", day=dt.date(int(day[:4]), int(day[4:6]), int(day[6:])))
    assert not ShipmentException.objects.filter(number=following).exists()
    page = _client("supervisor1").get(f"/operations/shipments/{latest.shipment_id}/")
    assert page.status_code == 200
    assert latest.case_number in page.content.decode()
    word = re.search(r"[\u4e00-\u9fff]{2}", latest.description).group()
    found = operations.exception_list(user=User.objects.get(username="supervisor1"), filters=ExceptionFilters(q=word))
    assert latest in found


def test_visits_over_twelve_months_show_in_the_queues_and_the_coverage(generated, db):
    tasks = VisitTask.objects.all()
    oldest = tasks.order_by("due_at").first().due_at
    assert NOW - dt.timedelta(days=370) < oldest < NOW - dt.timedelta(days=330)
    statuses = dict(tasks.values_list("status").annotate(n=Count("id")))
    assert statuses[TaskStatus.DONE] and statuses[TaskStatus.UNREACHABLE] and statuses[TaskStatus.OPEN]
    assert not tasks.filter(status=TaskStatus.DONE, completed_at__isnull=True).exists()
    assert not tasks.filter(status=TaskStatus.OPEN, due_at__lt=NOW - dt.timedelta(days=400)).exists()
    coverage = visit_coverage(start=LAST_MONTH[0], end=LAST_MONTH[1])
    assert coverage.planned > 0 and 0 < coverage.done <= coverage.planned
    upcoming = tasks.filter(status=TaskStatus.OPEN, due_at__gt=NOW).select_related("customer").order_by("due_at")[0]
    with time_machine.travel(upcoming.due_at, tick=False):
        page = _client("csmanager").get("/visits/?queue=today")
    assert page.status_code == 200
    assert upcoming.customer.name in page.content.decode()
    done = tasks.filter(status=TaskStatus.DONE).first()
    detail = _client("csmanager").get(f"/visits/{done.pk}/")
    assert detail.status_code == 200
    assert done.evaluation in detail.content.decode()


def test_survey_responses_score_like_submitted_ones(generated, db):
    assert Survey.objects.count() == 4
    response = Response.objects.exclude(index_score=None).first()
    assert response.answers.count() >= 10
    assert all(a.score is not None for a in response.answers.exclude(value=None))
    index = satisfaction_index(start=LAST_MONTH[0], end=LAST_MONTH[1])
    assert index and index[0].index is not None and index[0].responses > 0
    assert Answer.objects.filter(response__isnull=True).count() == 0
    survey = Survey.objects.filter(response_count__gt=0).first()
    assert survey.response_count == survey.responses.count()
    assert _client("csmanager").get(f"/surveys/{survey.pk}/").status_code == 200


def test_the_kpi_report_computes_figures_from_generated_data(generated, db):
    report = kpi_report(start=LAST_MONTH[0], end=LAST_MONTH[1])
    values = {r.item.indicator.code: r.overall.value for d in report.departments for r in d.items}
    for code in ("on_time_delivery", "intact_delivery", "timely_feedback", "complaint_rate", "satisfaction_index"):
        assert values[code] is not None, code
    assert values["follow_up_coverage"] is not None and values["follow_up_coverage"] > 0
    with time_machine.travel(NOW, tick=False):
        page = _client("csmanager").get("/standards/")
    assert page.status_code == 200
