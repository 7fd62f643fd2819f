"""Finding a case again by its number and the mobile number given with it."""

from __future__ import annotations

import pytest

from kefu.core.crypto import lookup_hash
from kefu.portal import ratelimit
from tests.portal.conftest import MOBILE, receive

pytestmark = pytest.mark.django_db


def test_number_and_mobile_lead_to_the_tracking_page(client):
    case = receive()
    response = client.post("/portal/track/", {"number": case.number.lower(), "mobile": "+86 139-1234-5678"})
    assert response.status_code == 302
    assert response["Location"] == f"/portal/track/{case.tracking_code}/"


def test_the_number_may_be_typed_without_dashes(client):
    case = receive()
    response = client.post("/portal/track/", {"number": case.number.replace("-", " ").lower(), "mobile": MOBILE})
    assert response.status_code == 302


def test_the_mobile_of_the_linked_contact_also_matches(client):
    from tests.customers.factories import make_customer

    customer = make_customer(contacts=[{"name": "周经理", "mobile": "13700001111"}])
    contact = customer.contacts.get()
    case = receive(customer=customer, contact=contact, caller_phone="")
    assert case.caller_phone_hash == ""
    assert contact.mobile_hash == lookup_hash(contact.mobile)
    response = client.post("/portal/track/", {"number": case.number, "mobile": contact.mobile})
    assert response.status_code == 302


def test_a_wrong_mobile_says_not_found(client):
    case = receive()
    response = client.post("/portal/track/", {"number": case.number, "mobile": "13800000000"})
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()
    assert case.tracking_code not in response.content.decode()


def test_an_unknown_number_says_the_same(client):
    receive()
    response = client.post("/portal/track/", {"number": "TS19990101999", "mobile": MOBILE})
    assert response.status_code == 404
    assert "没有找到" in response.content.decode()


def test_lookup_is_rate_limited(client):
    case = receive()
    for _ in range(ratelimit.LIMITS["lookup"][0].count):
        client.post("/portal/track/", {"number": case.number, "mobile": "13800000000"})
    response = client.post("/portal/track/", {"number": case.number, "mobile": MOBILE})
    assert response.status_code == 429
