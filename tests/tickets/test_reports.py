"""异常情况汇总表 and 客户投诉信息表: period summaries of cases, on the page and in Excel."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kefu.tickets.models import Category
from kefu.tickets.services import case_receive
from tests.customers.factories import make_customer


def _receive(customer, code: str, title: str, **extra):
    data = {
        "kind": "complaint",
        "nature": "hard",
        "category": Category.objects.get(code=code),
        "severity": "normal",
        "title": title,
        "description": title,
        "channel": "hotline",
        "customer": customer,
        **extra,
    }
    return case_receive(actor=None, data=data)


def test_summary_counts_cases_per_category_in_the_period(people, teams, client_for):
    """Two damage complaints and one delay complaint appear as 2 and 1 under their categories."""
    customer = make_customer(team=teams["cs_east"])
    _receive(customer, "damage", "外箱破损")
    _receive(customer, "damage", "货物压坏")
    _receive(customer, "delay", "晚到两天")
    response = client_for("cs_manager").get("/cases/reports/", {"by": "category"})
    assert response.status_code == 200
    rows = {r["label"]: r["total"] for r in response.context["rows"]}
    assert rows == {"货物破损": 2, "运输延误": 1}
    assert response.context["total"] == 3


def test_summary_and_register_export_to_excel(people, teams, client_for):
    customer = make_customer(name="苏州报表测试有限公司", team=teams["cs_east"])
    case = _receive(customer, "damage", "外箱破损")
    client = client_for("cs_manager")
    summary = load_workbook(io.BytesIO(client.get("/cases/reports/", {"format": "xlsx"}).content)).active
    assert [row[:2] for row in summary.iter_rows(min_row=2, values_only=True)] == [("货物破损", 1)]
    register = load_workbook(io.BytesIO(client.get("/cases/reports/", {"format": "register"}).content)).active
    first = next(register.iter_rows(min_row=2, values_only=True))
    assert first[0] == case.number and first[2] == "苏州报表测试有限公司"


def test_summary_only_counts_cases_the_viewer_may_see(people, teams, client_for):
    """An agent's summary holds the cases of their team's customers, not another team's."""
    _receive(make_customer(team=teams["cs_east"]), "damage", "东区破损")
    _receive(make_customer(team=teams["cs_south"]), "damage", "南区破损")
    response = client_for("agent").get("/cases/reports/")
    assert response.context["total"] == 1
