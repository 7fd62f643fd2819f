"""The survey results of a period beside the targets of the standard in force, with the gap."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.audits import selectors
from kefu.standards import services as standards
from tests.standards.conftest import add_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def satisfaction_standard(people, march_records):
    """Satisfaction index ≥ 90 (外企) / 95 (民营), in force since 2026-01-01; March's index is 92.5."""
    standard = standards.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "satisfaction_index", "100", {"foreign": "90", "private": "95"})
    standards.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    return standards.standard_approve(actor=people["general_manager"], standard=standard, version=None)


def test_survey_figures_beside_the_targets_of_the_customer_type(satisfaction_standard):
    foreign = selectors.survey_comparison(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), customer_type="foreign")
    assert foreign.responses == 2 and foreign.standard.pk == satisfaction_standard.pk
    (index,) = foreign.indicators
    assert (index.name, index.value, index.target, index.gap, index.attained) == (
        "客户满意度指数",
        Decimal("92.50"),
        Decimal("90.00"),
        Decimal("2.50"),
        True,
    )
    private = selectors.survey_comparison(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), customer_type="private")
    assert private.indicators[0].gap == Decimal("-2.50") and private.indicators[0].attained is False
    dimensions = {d.name: (d.value, d.gap) for d in foreign.dimensions}
    assert dimensions["价格合理性"] == (Decimal("50.0"), Decimal("-35.0"))  # against the survey's target 85
    assert dimensions["服务质量"] == (Decimal("100.0"), Decimal("15.0"))


def test_a_period_without_surveys_or_standard_has_no_data(db):
    empty = selectors.survey_comparison(start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31), customer_type="state")
    assert empty.standard is None and empty.indicators == [] and empty.responses == 0
    assert all(d.value is None and d.gap is None for d in empty.dimensions)


def test_the_page_and_bad_input(satisfaction_standard, client_for):
    client = client_for("cs_manager")
    page = client.get("/audits/surveys/", {"start": "2026-03-01", "end": "2026-03-31", "customer_type": "foreign"})
    body = page.content.decode()
    assert page.status_code == 200 and "客户满意度指数" in body and "+2.5" in body and "-35.0" in body
    assert client.get("/audits/surveys/", {"customer_type": "martian"}).status_code == 400
    assert client.get("/audits/surveys/", {"start": "2020-01-01", "end": "2026-03-31"}).status_code == 400
    assert client.get("/audits/surveys/").status_code == 200
    assert client_for("sales_rep").get("/audits/surveys/").status_code == 403
