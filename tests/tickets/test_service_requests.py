"""Service requests carry the extra fields their type asks for (e.g. a ticket booking)."""

from __future__ import annotations

import pytest

from kefu.core.services import DomainError
from kefu.tickets.models import Case, ServiceRequestType
from kefu.tickets.services import case_receive
from tests.customers.factories import make_customer


@pytest.fixture
def booking(db) -> ServiceRequestType:
    return ServiceRequestType.objects.get(code="ticket_booking")


def _data(customer, booking, extra):
    return {
        "kind": "service_request",
        "request_type": booking,
        "title": "代订机票",
        "description": "下周去成都",
        "channel": "hotline",
        "customer": customer,
        "extra": extra,
    }


GOOD = {
    "passenger": "王小明",
    "id_number": "11010519491231002X",
    "destination": "成都",
    "date": "2026-12-01",
    "cabin": "经济舱",
}


def test_a_booking_request_keeps_its_details(people, teams, booking):
    case = case_receive(actor=people["agent"], data=_data(make_customer(team=teams["cs_east"]), booking, GOOD))
    assert case.extra == GOOD


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"destination": ""}, "destination"),
        ({"date": "下周"}, "date"),
        ({"cabin": "站票"}, "cabin"),
        ({"meal": "素食"}, "meal"),
    ],
)
def test_bad_booking_details_are_refused_naming_the_field(change, field, people, teams, booking):
    extra = {**GOOD, **change}
    with pytest.raises(DomainError) as refused:
        case_receive(actor=people["agent"], data=_data(make_customer(team=teams["cs_east"]), booking, extra))
    assert refused.value.field == field
    assert not Case.objects.exists()


def test_the_intake_form_asks_for_the_types_fields(people, teams, booking, client_for):
    """Choosing the request type adds its inputs; a missing required one answers 400 and saves nothing."""
    customer = make_customer(team=teams["cs_east"])
    client = client_for("agent")
    page = client.get("/cases/new/", {"request_type": booking.pk}).content.decode()
    assert 'name="extra_destination"' in page and 'name="extra_cabin"' in page
    post = {
        "kind": "service_request",
        "request_type": booking.pk,
        "severity": "normal",
        "channel": "hotline",
        "title": "代订机票",
        "description": "下周去成都",
        "customer_number": customer.number,
        **{f"extra_{k}": v for k, v in GOOD.items()},
    }
    assert client.post("/cases/new/", {**post, "extra_destination": ""}).status_code == 400
    response = client.post("/cases/new/", post)
    assert response.status_code == 302
    assert Case.objects.get().extra["destination"] == "成都"
