"""KPI measurement on a hand-computed data set: actual per customer type, target in force, attainment,
weighted score per department, drill-down, the page, the Excel export and the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from kefu.operations import services as operations
from kefu.operations.models import Order
from kefu.standards import selectors, services
from kefu.standards.computations import COMPUTATIONS
from tests.customers.factories import make_customer, token_for
from tests.operations.conftest import order_data

from .conftest import add_item

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _orders(customer, n: int, at: dt.datetime) -> None:
    for _ in range(n):
        order = operations.order_create(actor=None, data=order_data(customer))
        Order.objects.filter(pk=order.pk).update(created_at=at)


@pytest.fixture
def data_set(people, complain):
    """March 2026. 外企: 4 orders, 1 complaint resolved in 10 h (+1 in April); 民营: 2 orders, 1 complaint
    resolved in 30 h; 国有: nothing. Targets: complaint rate ≤ 30 % (weight 60), handling ≤ 24 / 48 h (40)."""
    foreign = make_customer(name="外资物流客户有限公司", ownership="foreign")
    private = make_customer(name="民营贸易客户有限公司", ownership="private")
    make_customer(name="国有制造客户有限公司", ownership="state")
    march = dt.datetime(2026, 3, 10, 9, tzinfo=SH)
    _orders(foreign, 4, march)
    _orders(private, 2, march)
    first = complain(foreign, march, resolved_hours=10)
    complain(foreign, dt.datetime(2026, 4, 2, 9, tzinfo=SH), resolved_hours=1)
    second = complain(private, march, resolved_hours=30)
    standard = services.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "complaint_rate", "60", {"foreign": "30", "private": "30", "state": "30"})
    add_item(standard, people["cs_manager"], "complaint_handling_time", "40", {"foreign": "24", "private": "48"})
    services.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    services.standard_approve(actor=people["general_manager"], standard=standard, version=None)
    return {"standard": standard, "foreign_case": first, "private_case": second}


def _cs(report):
    (department,) = report.departments
    return department


def test_actual_target_attainment_and_weighted_score_per_customer_type(data_set):
    report = selectors.kpi_report(start=MARCH[0], end=MARCH[1])
    assert report.standard.pk == data_set["standard"].pk
    assert report.types == ["foreign", "private", "state"]
    cs = _cs(report)
    assert cs.department.name == "客户服务部"
    rate, hours = cs.items
    assert rate.overall.value == Decimal("33.33")  # 2 complaints / 6 orders
    assert rate.cells["foreign"].actual.value == Decimal("25.00")
    assert rate.cells["foreign"].attained is True  # lower is better: 25 ≤ 30
    assert rate.cells["private"].actual.value == Decimal("50.00")
    assert rate.cells["private"].attained is False
    assert rate.cells["state"].actual.value is None  # no orders: no data, not zero
    assert rate.cells["state"].attained is None
    assert hours.overall.value == Decimal("20.00")
    assert hours.cells["foreign"].actual.value == Decimal("10.00")
    assert hours.cells["private"].attained is True  # 30 ≤ 48
    assert hours.cells["state"].target is None
    assert cs.scores == {"foreign": Decimal("100.0"), "private": Decimal("40.0"), "state": None}


def test_no_standard_in_force_before_its_date(data_set):
    report = selectors.kpi_report(start=dt.date(2025, 12, 1), end=dt.date(2025, 12, 31))
    assert report.standard is None and report.departments == []


def test_filter_by_customer_type(data_set):
    report = selectors.kpi_report(start=MARCH[0], end=MARCH[1], customer_type="private")
    assert report.types == ["private"]
    assert _cs(report).scores == {"private": Decimal("40.0")}


def test_every_seeded_computation_answers_an_empty_period_with_no_data(db):
    for computation in COMPUTATIONS.values():
        measure = computation.function(dt.date(2030, 1, 1), dt.date(2030, 1, 31), None)
        assert measure.value is None, computation.key


def test_drill_down_lists_the_cases_behind_the_figure(data_set, client_for):
    cases = selectors.drill_down_cases(key="complaints_received", start=MARCH[0], end=MARCH[1], customer_type="foreign")
    assert list(cases) == [data_set["foreign_case"]]
    page = client_for("cs_manager").get(
        "/standards/kpi/cases/", {"key": "complaints_resolved", "start": "2026-03-01", "end": "2026-03-31"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert data_set["foreign_case"].number in body and data_set["private_case"].number in body
    assert client_for("cs_manager").get("/standards/kpi/cases/", {"key": "nope"}).status_code == 404


def test_kpi_page_export_and_permissions(data_set, client_for):
    client = client_for("cs_manager")
    page = client.get("/standards/", {"start": "2026-03-01", "end": "2026-03-31"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "客户投诉率" in body and "33.33" in body and "40.0" in body
    assert "kpi/cases/?key=complaints_received" in body
    export = client.get("/standards/", {"start": "2026-03-01", "end": "2026-03-31", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][1] == "客户投诉率" and Decimal(str(rows[1][4])) == Decimal("33.33")
    assert client_for("sales_rep").get("/standards/").status_code == 403
    assert client.get("/standards/", {"start": "bad"}).status_code == 200


def test_kpi_api(data_set, people, client):
    headers = {"Authorization": f"Bearer {token_for(people['cs_manager'])}"}
    answer = client.get("/api/v1/standards/kpi?start=2026-03-01&end=2026-03-31", headers=headers)
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["standard_version"] == 1
    (cs,) = data["departments"]
    assert {k: v if v is None else Decimal(str(v)) for k, v in cs["scores"].items()} == {
        "foreign": Decimal(100),
        "private": Decimal(40),
        "state": None,
    }
    rate = cs["items"][0]
    assert rate["direction"] == "lower" and rate["cells"][0]["attained"] is True
    assert client.get("/api/v1/standards/kpi?customer_type=martian", headers=headers).status_code in (400, 422)
    denied = {"Authorization": f"Bearer {token_for(people['sales_rep'])}"}
    assert client.get("/api/v1/standards/kpi", headers=denied).status_code == 403
    assert len(client.get("/api/v1/standards/indicators", headers=headers).json()) == 11


def test_hand_entered_indicator_uses_the_mean_of_its_monthly_values(people, departments, client_for):
    training = services.indicator_create(
        actor=people["cs_manager"],
        data={
            "code": "training_hours",
            "name": "培训时数",
            "department": departments["cs"],
            "measurement": "manual",
            "unit": "h",
            "direction": "higher",
        },
    )
    client = client_for("cs_manager")
    for month, customer_type, value in (("2026-02", "", "10"), ("2026-03", "", "20"), ("2026-03", "foreign", "5")):
        answer = client.post(
            f"/standards/indicators/{training.pk}/",
            {"form": "reading", "month": month, "customer_type": customer_type, "value": value},
        )
        assert answer.status_code == 302
    assert (
        client.post(
            f"/standards/indicators/{training.pk}/", {"form": "reading", "month": "bad", "value": "1"}
        ).status_code
        == 400
    )
    standard = services.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "training_hours", "100", {"foreign": "8", "private": "12"})
    services.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    services.standard_approve(actor=people["general_manager"], standard=standard, version=None)
    report = selectors.kpi_report(start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 31))
    (item,) = report.departments[0].items
    assert item.overall.value == Decimal("15.00")  # (10 + 20) / 2
    assert item.cells["foreign"].actual.value == Decimal("5.00") and item.cells["foreign"].attained is False
    assert item.cells["private"].actual.value == Decimal("15.00") and item.cells["private"].attained is True
    body = client.get(f"/standards/indicators/{training.pk}/").content.decode()
    assert "2026-03" in body


def test_values_of_a_computed_indicator_cannot_be_entered(people):
    from kefu.core.services import DomainError
    from kefu.standards.models import Indicator

    with pytest.raises(DomainError):
        services.reading_set(
            actor=people["cs_manager"],
            indicator=Indicator.objects.get(code="complaint_rate"),
            month=dt.date(2026, 3, 1),
            value=Decimal(1),
        )
