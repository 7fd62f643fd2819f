"""Stored KPI figures: a snapshot holds what `kpi_report` computes, the page and the API read it without
measuring, a manager recomputes it after late records, the worker keeps the page's periods measured, and a
period never measured before is queued once and shown as being computed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.standards import selectors, services
from kefu.standards.models import KpiFigure, KpiSnapshot
from kefu.standards.tasks import compute_kpi_snapshot, refresh_kpi_snapshots
from tests.customers.factories import make_customer, token_for

from .test_measurement import MARCH
from .test_measurement import data_set as data_set  # the hand-computed March data set (a fixture)

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
PAGE_QUERIES = 20  # the page on a stored snapshot; measuring the same report live takes more than this


def _shape(report: selectors.KpiReport) -> list:
    """Everything the page and the API show of a report, as plain values."""

    def measure(m):
        return None if m is None else (m.numerator, m.denominator, m.value)

    return [
        (
            d.department.pk,
            d.scores,
            [
                (
                    r.item.pk,
                    r.item.indicator.code,
                    r.item.weight,
                    measure(r.overall),
                    {t: (measure(c.actual), c.target, c.attained) for t, c in r.cells.items()},
                )
                for r in d.items
            ],
        )
        for d in report.departments
    ] + [report.standard.pk if report.standard else None, report.types, report.start, report.end]


@pytest.fixture
def queued_tasks(settings):
    """Tasks are only recorded, as when no worker has picked them up yet."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    compute_kpi_snapshot.get_backend().clear()
    yield compute_kpi_snapshot.get_backend()
    compute_kpi_snapshot.get_backend().clear()


def test_the_snapshot_holds_what_kpi_report_computes(data_set):
    snapshot = services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    live = selectors.kpi_report(start=MARCH[0], end=MARCH[1])
    assert _shape(selectors.kpi_report_stored(snapshot)) == _shape(live)
    assert live.departments[0].scores["private"] == Decimal(40)  # the data set is not trivially empty
    for customer_type in ("private", "state"):
        assert _shape(selectors.kpi_report_stored(snapshot, customer_type=customer_type)) == _shape(
            selectors.kpi_report(start=MARCH[0], end=MARCH[1], customer_type=customer_type)
        )
    department = live.departments[0].department.pk
    assert _shape(selectors.kpi_report_stored(snapshot, department_id=department)) == _shape(live)
    assert selectors.kpi_report_stored(snapshot, department_id=department + 999).departments == []
    # 2 items x (overall + 3 customer types); the 9 other seeded indicators (overall only) for the trends
    assert KpiFigure.objects.filter(snapshot=snapshot, item__isnull=False).count() == 8
    assert KpiFigure.objects.filter(snapshot=snapshot, item__isnull=True, customer_type="").count() == 9
    event = AuditEvent.objects.get(action="kpi.snapshot_computed")
    assert event.subject_id == str(snapshot.pk) and event.changes["figures"] == 17


def test_the_snapshot_of_a_period_with_no_standard_is_empty(db):
    snapshot = services.kpi_snapshot_compute(actor=None, start=dt.date(2025, 1, 1), end=dt.date(2025, 1, 31))
    report = selectors.kpi_report_stored(snapshot)
    assert report.standard is None and report.departments == [] and selectors.snapshot_is_usable(snapshot)


def test_the_page_reads_the_snapshot_without_measuring(data_set, client_for, complain, django_assert_max_num_queries):
    services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    # a late complaint: the stored figures do not know it until recomputed
    complain(make_customer(ownership="foreign"), dt.datetime(2026, 3, 20, 9, tzinfo=SH))
    client = client_for("agent")
    client.get("/standards/versions/")  # the session and the menus' first reads
    with django_assert_max_num_queries(PAGE_QUERIES):
        page = client.get("/standards/", {"start": "2026-03-01", "end": "2026-03-31"})
    body = page.content.decode()
    assert page.status_code == 200
    assert "33.33" in body and "40.0" in body  # the stored values (live it is now 2 complaints / 6 orders)
    assert "/standards/kpi/recompute/" not in body  # an agent may read, not recompute
    with CaptureQueriesContext(connection) as live:
        selectors.kpi_report(start=MARCH[0], end=MARCH[1])
    assert len(live) > PAGE_QUERIES  # the bound above does fail when the page measures
    assert KpiSnapshot.objects.count() == 1


def test_a_plain_agent_may_not_recompute(data_set, client_for, people):
    snapshot = services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    answer = client_for("agent").post("/standards/kpi/recompute/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert answer.status_code == 403
    with pytest.raises(services.PermissionDeniedError):
        services.kpi_snapshot_request(actor=people["agent"], start=MARCH[0], end=MARCH[1], force=True)
    with pytest.raises(services.PermissionDeniedError):
        services.kpi_snapshot_compute(actor=people["agent"], start=MARCH[0], end=MARCH[1])
    refreshed = KpiSnapshot.objects.get()
    assert refreshed.computed_at == snapshot.computed_at and refreshed.requested_at is None
    assert not AuditEvent.objects.filter(action="kpi.recompute_requested").exists()
    assert client_for("cs_manager").get("/standards/kpi/recompute/").status_code == 405


def test_recompute_after_a_data_change_updates_the_figures(data_set, client_for, complain, people):
    services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    complain(make_customer(ownership="foreign"), dt.datetime(2026, 3, 20, 9, tzinfo=SH))
    manager = client_for("cs_manager")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    assert "33.33" in manager.get("/standards/", period).content.decode()
    answer = manager.post("/standards/kpi/recompute/", {**period, "customer_type": "foreign"})
    assert answer.status_code == 302
    assert answer.url == "/standards/?start=2026-03-01&end=2026-03-31&customer_type=foreign"
    report = selectors.kpi_report_stored(KpiSnapshot.objects.get())
    rate = report.departments[0].items[0]
    assert rate.item.indicator.code == "complaint_rate"
    assert rate.overall.value == Decimal("50.00")  # 3 complaints over 6 orders
    assert rate.cells["foreign"].actual.value == Decimal("50.00") and rate.cells["foreign"].attained is False
    assert _shape(report) == _shape(selectors.kpi_report(start=MARCH[0], end=MARCH[1]))
    body = manager.get("/standards/", period).content.decode()
    assert "50.00" in body and "33.33" not in body
    requested = AuditEvent.objects.get(action="kpi.recompute_requested")
    assert requested.actor == people["cs_manager"]
    assert AuditEvent.objects.filter(action="kpi.snapshot_computed").count() == 2
    assert KpiSnapshot.objects.count() == 1 and KpiFigure.objects.count() == 17


def test_a_corrected_hand_entered_value_remeasures_the_stored_periods_of_its_month(people, departments):
    training = services.indicator_create(
        actor=people["cs_manager"],
        data={"code": "training_hours", "name": "培训时数", "department": departments["cs"], "measurement": "manual"},
    )
    standard = services.standard_draft(actor=people["cs_manager"])
    services.item_save(
        actor=people["cs_manager"],
        standard=standard,
        version=None,
        indicator=training,
        weight=Decimal(100),
        targets={"foreign": Decimal(8)},
    )
    services.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    services.standard_approve(actor=people["general_manager"], standard=standard, version=None)
    services.reading_set(actor=people["cs_manager"], indicator=training, month=dt.date(2026, 3, 1), value=Decimal(5))
    march = services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    april = services.kpi_snapshot_compute(actor=None, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    services.reading_set(actor=people["cs_manager"], indicator=training, month=dt.date(2026, 3, 1), value=Decimal(9))
    (item,) = selectors.kpi_report_stored(KpiSnapshot.objects.get(pk=march.pk)).departments[0].items
    assert item.overall.value == Decimal("9.00") and item.cells["foreign"].attained is True
    assert KpiSnapshot.objects.get(pk=april.pk).computed_at == april.computed_at  # another month: untouched


def test_the_periodic_job_run_twice_stores_each_period_once(data_set):
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SH), tick=False):
        first = refresh_kpi_snapshots.enqueue().return_value
        again = refresh_kpi_snapshots.enqueue().return_value
    # last month; this month, quarter and year to date (on 1 April the first two are one day); and the 13
    # whole months of the trend charts ending March or April (March is last month)
    months = [f"{m:%Y-%m}-01/{e.isoformat()}" for m, e in selectors.months_back(dt.date(2026, 4, 1), 13)]
    assert first[:3] == ["2026-03-01/2026-03-31", "2026-04-01/2026-04-01", "2026-01-01/2026-04-01"]
    assert sorted(first[3:]) == sorted(m for m in months if m != "2026-03-01/2026-03-31")
    assert len(first) == 15 and again == []
    assert KpiSnapshot.objects.filter(start=MARCH[0], end=MARCH[1]).count() == 1
    assert KpiSnapshot.objects.count() == 15
    assert AuditEvent.objects.filter(action="kpi.snapshot_computed").count() == 15
    march = KpiSnapshot.objects.get(start=MARCH[0], end=MARCH[1])
    assert not selectors.snapshot_is_provisional(march)
    with time_machine.travel(dt.datetime(2026, 4, 1, 2, 0, tzinfo=SH), tick=False):
        later = refresh_kpi_snapshots.enqueue().return_value
    # more than an hour later the running periods are measured again; the months that ended are left alone
    assert later == ["2026-04-01/2026-04-01", "2026-01-01/2026-04-01", "2026-04-01/2026-04-30"]
    assert KpiSnapshot.objects.get(pk=march.pk).computed_at == march.computed_at


def test_the_periodic_job_queues_one_low_priority_task_per_period_once(data_set, queued_tasks):
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SH), tick=False):
        queued = refresh_kpi_snapshots.call()
        assert refresh_kpi_snapshots.call() == []  # all already queued
    assert len(queued) == 15 and len(queued_tasks.results) == 15
    assert {r.task.priority for r in queued_tasks.results} == {-10}
    assert not KpiFigure.objects.exists()
    for result in queued_tasks.results:  # the worker runs them
        result.task.call(*result.args, **result.kwargs)
    assert KpiSnapshot.objects.filter(computed_at__isnull=False, requested_at__isnull=True).count() == 15
    assert not AuditEvent.objects.filter(action="kpi.recompute_requested").exists()  # nobody asked


def test_last_month_measured_while_running_is_measured_again_once_it_is_over(data_set):
    with time_machine.travel(dt.datetime(2026, 3, 31, 20, 0, tzinfo=SH), tick=False):
        assert "2026-03-01/2026-03-31" in refresh_kpi_snapshots.enqueue().return_value
        march = KpiSnapshot.objects.get(start=MARCH[0], end=MARCH[1])
        assert selectors.snapshot_is_provisional(march)
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 15, tzinfo=SH), tick=False):
        assert "2026-03-01/2026-03-31" in refresh_kpi_snapshots.enqueue().return_value
        assert not selectors.snapshot_is_provisional(KpiSnapshot.objects.get(pk=march.pk))


def _series(trends):
    return {t.indicator.code: (t.months, t.values, t.targets) for t in trends}


def test_the_trend_charts_read_the_stored_months(data_set, client_for, django_assert_max_num_queries):
    live = _series(selectors.kpi_trends(last=MARCH[1]))
    live_private = _series(selectors.kpi_trends(last=MARCH[1], customer_type="private"))
    assert live["complaint_rate"][1][-1] == pytest.approx(33.33)  # not trivially empty
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=SH), tick=False):
        refresh_kpi_snapshots.enqueue()
    assert _series(selectors.kpi_trends(last=MARCH[1])) == live
    assert _series(selectors.kpi_trends(last=MARCH[1], customer_type="private")) == live_private
    client = client_for("agent")
    client.get("/standards/versions/")
    with django_assert_max_num_queries(PAGE_QUERIES + 12):  # 12 months: the standard in force each month
        page = client.get("/standards/kpi/trends/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert page.status_code == 200 and "trends-data" in page.content.decode()
    with CaptureQueriesContext(connection) as measured:
        KpiSnapshot.objects.all().delete()
        client.get("/standards/kpi/trends/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert len(measured) > PAGE_QUERIES + 12  # the bound above fails when the months are measured


def test_a_period_never_measured_is_queued_once_and_shown_as_being_computed(data_set, client_for, queued_tasks):
    client = client_for("cs_manager")
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    page = client.get("/standards/", period)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="kpi-status"' in body and 'hx-trigger="every 3s"' in body and "33.33" not in body
    client.get("/standards/", period)
    client_for("agent").get("/standards/", period)
    assert len(queued_tasks.results) == 1  # asked three times, queued once
    snapshot = KpiSnapshot.objects.get()
    assert snapshot.requested_at is not None and snapshot.computed_at is None
    assert client.get("/standards/", {**period, "format": "xlsx"}).status_code == 302
    api = client.get("/api/v1/standards/kpi?start=2026-03-01&end=2026-03-31")
    assert api.status_code == 202 and api.json()["requested_at"]
    # the worker runs the queued task
    result = queued_tasks.results[0]
    result.task.call(*result.args, **result.kwargs)
    snapshot.refresh_from_db()
    assert snapshot.computed_at is not None and snapshot.requested_at is None
    poll = client.get("/standards/", {**period, "waiting": "1"}, headers={"HX-Request": "true"})
    assert poll.headers["HX-Refresh"] == "true"
    body = client.get("/standards/", period).content.decode()
    assert "33.33" in body and 'action="/standards/kpi/recompute/"' in body
    assert len(queued_tasks.results) == 1


def test_a_lost_request_is_queued_again(data_set, people, queued_tasks):
    services.kpi_snapshot_request(actor=people["agent"], start=MARCH[0], end=MARCH[1])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=20)):
        services.kpi_snapshot_request(actor=people["agent"], start=MARCH[0], end=MARCH[1])
    assert len(queued_tasks.results) == 2


def test_the_api_reads_the_snapshot_and_recompute_is_for_managers(data_set, people, client, complain):
    services.kpi_snapshot_compute(actor=None, start=MARCH[0], end=MARCH[1])
    complain(make_customer(ownership="foreign"), dt.datetime(2026, 3, 20, 9, tzinfo=SH))
    manager = {"Authorization": f"Bearer {token_for(people['cs_manager'])}"}
    data = client.get("/api/v1/standards/kpi?start=2026-03-01&end=2026-03-31", headers=manager).json()
    assert data["computed_at"] and data["provisional"] is False
    assert Decimal(str(data["departments"][0]["items"][0]["overall"])) == Decimal("33.33")
    agent = {"Authorization": f"Bearer {token_for(people['agent'])}"}
    period = {"start": "2026-03-01", "end": "2026-03-31"}
    denied = client.post("/api/v1/standards/kpi/recompute", period, content_type="application/json", headers=agent)
    assert denied.status_code == 403
    answer = client.post("/api/v1/standards/kpi/recompute", period, content_type="application/json", headers=manager)
    assert answer.status_code == 200, answer.content
    assert Decimal(str(answer.json()["departments"][0]["items"][0]["overall"])) == Decimal("50.00")


def test_the_demo_leaves_the_kpi_page_measured(db):
    call_command("seed-demo", "--customers", "10")
    call_command("seed-demo-standards")
    start, end = selectors.default_period(timezone.localdate())
    snapshot = selectors.kpi_snapshot(start, end)
    assert selectors.snapshot_is_usable(snapshot)
    assert _shape(selectors.kpi_report_stored(snapshot)) == _shape(selectors.kpi_report(start=start, end=end))
    assert len(selectors.kpi_report_stored(snapshot).departments) > 1
    call_command("seed-demo-standards")  # again: nothing is measured twice
    assert KpiSnapshot.objects.filter(start=start, end=end).count() == 1
