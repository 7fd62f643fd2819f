"""The home page's figures count exactly the customers the viewer may see."""

from __future__ import annotations

import datetime as dt

import time_machine

from kefu.customers.models import Customer
from kefu.customers.selectors import customer_overview
from tests.customers.factories import make_customer


def _backdate(customer: Customer, when: dt.datetime) -> None:
    Customer.objects.filter(pk=customer.pk).update(created_at=when)


@time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), tick=False)
def test_overview_counts_grades_regions_channels_and_months(people, teams):
    """Totals, key customers, grades, regions, channel x role and new customers per month add up."""
    east = teams["cs_east"]
    make_customer(team=east, is_key=True, region="jiangsu", channel="channel", customer_role="dealer")
    b = make_customer(team=east, region="jiangsu")
    c = make_customer(team=east, region="zhejiang")
    make_customer(team=teams["cs_south"], region="guangdong")  # outside the agent's team
    inactive = make_customer(team=east)
    Customer.objects.filter(pk=inactive.pk).update(is_active=False)
    _backdate(b, dt.datetime(2026, 10, 31, 17, 0, tzinfo=dt.UTC))  # 1 November 01:00 in Shanghai
    _backdate(c, dt.datetime(2025, 11, 15, 0, 0, tzinfo=dt.UTC))

    figures = customer_overview(people["agent"])

    assert (figures["total"], figures["key"]) == (3, 1)
    assert figures["by_grade"] == [{"grade": "A", "n": 1}, {"grade": "C", "n": 2}]
    assert figures["by_region"] == [{"region": "jiangsu", "n": 2}, {"region": "zhejiang", "n": 1}]
    assert {(r["channel"], r["customer_role"]): r["n"] for r in figures["by_channel"]} == {
        ("channel", "dealer"): 1,
        ("terminal", "shipper"): 2,
    }
    months = {m["month"]: m["n"] for m in figures["by_month"]}
    assert list(months) == [f"{y}-{m:02d}" for y, m in [(2025, 12), *((2026, m) for m in range(1, 12))]]
    assert months["2026-11"] == 2  # a, and b counted in Shanghai's November
    assert figures["new_this_month"] == 2
    assert sum(months.values()) == 2  # c is older than the twelve months shown


def test_home_page_shows_the_viewers_total(people, teams, client_for):
    """The figure on the page is the scoped total, not the whole archive."""
    make_customer(team=teams["cs_east"])
    make_customer(team=teams["cs_south"])
    page = client_for("agent").get("/").content.decode()
    assert 'data-testid="total-customers">1<' in page
