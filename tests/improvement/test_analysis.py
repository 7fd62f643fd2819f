"""客户服务分析: the gaps to the standard in force, the Pareto of the complaints behind them (hand-computed),
"no data" for an empty period, and the saved cause analysis with its optimistic lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.improvement import selectors, services
from kefu.improvement.models import Analysis
from kefu.standards.models import Indicator

from .conftest import MARCH, categorise

pytestmark = pytest.mark.django_db


def test_pareto_sorts_counts_and_accumulates_shares():
    rows = selectors.pareto([("d", "D", 1), ("a", "A", 5), ("c", "C", 1), ("b", "B", 3), ("z", "Z", 0)])
    assert [(r.label, r.count, r.percent, r.cumulative) for r in rows] == [
        ("A", 5, Decimal("50.0"), Decimal("50.0")),
        ("B", 3, Decimal("30.0"), Decimal("80.0")),
        ("C", 1, Decimal("10.0"), Decimal("90.0")),
        ("D", 1, Decimal("10.0"), Decimal("100.0")),
    ]
    thirds = selectors.pareto([("x", "X", 1), ("y", "Y", 1), ("w", "W", 1)])
    assert [r.percent for r in thirds] == [Decimal("33.3")] * 3
    assert [r.cumulative for r in thirds] == [Decimal("33.3"), Decimal("66.7"), Decimal("100.0")]
    assert selectors.pareto([]) == []


def test_complaints_pareto_by_category_and_cause(people, march, complain):
    first, second, third = march["cases"]
    categorise(first, "damage", cause="装卸不当")
    categorise(second, "damage", cause="装卸不当", root_cause="包装不合格")
    categorise(third, "delay", cause="车辆不足")
    cases = selectors.complaints(user=people["cs_manager"], start=MARCH[0], end=MARCH[1])
    by_category = selectors.category_pareto(cases)
    assert [(r.label, r.count, r.percent, r.cumulative) for r in by_category] == [
        ("货物破损", 2, Decimal("66.7"), Decimal("66.7")),
        ("运输延误", 1, Decimal("33.3"), Decimal("100.0")),
    ]
    by_cause = selectors.cause_pareto(cases)  # the root cause wins over the investigation's cause
    assert [(r.label, r.count) for r in by_cause] == [("包装不合格", 1), ("装卸不当", 1), ("车辆不足", 1)]
    private = selectors.complaints(user=people["cs_manager"], start=MARCH[0], end=MARCH[1], customer_type="private")
    assert [(r.label, r.count) for r in selectors.category_pareto(private)] == [("货物破损", 1), ("运输延误", 1)]
    damage = by_category[0].key
    assert selectors.complaints_filtered(cases, category=damage).count() == 2
    assert selectors.complaints_filtered(cases, cause="车辆不足").get().pk == third.pk


def test_gaps_to_the_standard_in_force(people, cycle):
    data = selectors.analysis_data(user=people["cs_manager"], cycle=cycle)
    (gap,) = data.missed
    assert gap.indicator.code == "complaint_rate" and gap.customer_type == "private"
    assert gap.actual == Decimal("100.00") and gap.target == Decimal("30") and gap.gap == Decimal("70.00")
    assert data.complaints == 2 and data.no_data == []
    everyone = services.cycle_create(actor=people["cs_manager"], name="全部", start=MARCH[0], end=MARCH[1])
    data = selectors.analysis_data(user=people["cs_manager"], cycle=everyone)
    assert [g.customer_type for g in data.missed] == ["private"]
    assert data.attained == 1  # 外企 25.00 ≤ 30
    assert [g.customer_type for g in data.no_data] == ["state"]  # no orders: no data, not zero


def test_an_empty_period_reads_no_data(people, march, client_for):
    empty = services.cycle_create(
        actor=people["cs_manager"], name="空", start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30)
    )
    data = selectors.analysis_data(user=people["cs_manager"], cycle=empty)
    assert data.missed == [] and data.attained == 0 and len(data.no_data) == 3
    assert data.complaints == 0 and data.categories == [] and data.causes == []
    assert all(g.gap is None for g in data.no_data)
    page = client_for("cs_manager").get(f"/improvement/{empty.pk}/analysis/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="gaps"' in body and "table-danger" not in body


def test_analysis_page_lists_gaps_pareto_and_links_to_the_records(client_for, cycle, march):
    categorise(march["cases"][1], "damage", cause="装卸不当")
    manager = client_for("cs_manager")
    body = manager.get(f"/improvement/{cycle.pk}/analysis/").content.decode()
    assert "客户投诉率" in body and "70.00" in body
    assert f'href="/improvement/{cycle.pk}/analysis/cases/?cause=%E8%A3%85%E5%8D%B8%E4%B8%8D%E5%BD%93"' in body
    assert "/standards/kpi/cases/?key=complaints_received" in body
    listing = manager.get(f"/improvement/{cycle.pk}/analysis/cases/", {"cause": "装卸不当"}).content.decode()
    assert march["cases"][1].number in listing and march["cases"][2].number not in listing
    assert manager.get(f"/improvement/{cycle.pk}/analysis/cases/", {"category": "x1"}).status_code == 400


def test_cause_analysis_is_saved_with_departments_and_a_stale_edit_is_refused(client_for, cycle, departments):
    rate = Indicator.objects.get(code="complaint_rate")
    url = f"/improvement/{cycle.pk}/analysis/"
    manager = client_for("cs_manager")
    saved = manager.post(
        url,
        {
            f"cause_{rate.pk}": "装卸作业不规范，包装不合格",
            "departments": [departments["cs"].pk, departments["transport"].pk],
            "summary": "与运输配送部共同分析",
            "version": 0,
        },
    )
    assert saved.status_code == 302
    analysis = Analysis.objects.get(cycle=cycle)
    assert analysis.causes.get().text == "装卸作业不规范，包装不合格"
    assert {d.code for d in analysis.departments.all()} == {"cs", "transport"}
    # the transport department's manager adds to it, from the version they saw
    dept = client_for("dept_manager").post(url, {f"cause_{rate.pk}": "车辆调度不足", "version": analysis.version})
    assert dept.status_code == 302
    stale = manager.post(url, {f"cause_{rate.pk}": "覆盖", "version": analysis.version})
    assert stale.status_code == 409
    assert Analysis.objects.get(cycle=cycle).causes.get().text == "车辆调度不足"
    assert manager.post(url, {"version": "x"}).status_code == 400
    assert client_for("agent").post(url, {"version": 0}).status_code == 403
