"""Phone and ID numbers: encrypted at rest, found by exact lookup, masked for roles without the right."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from kefu.core.validators import validate_cn_id_number
from kefu.customers.models import Contact, Customer
from tests.customers.factories import bearer, make_customer

MOBILE = "13812345678"
LANDLINE = "021-62345678"
ID_NUMBER = "11010519491231002X"  # a well-formed resident ID (GB 11643 check character X)


@pytest.fixture
def person(teams):
    validate_cn_id_number(ID_NUMBER)
    return make_customer(
        name="王小明",
        kind="person",
        ownership="individual",
        id_number=ID_NUMBER,
        team=teams["cs_east"],
        contacts=[{"name": "王小明", "mobile": MOBILE, "landline": LANDLINE, "is_primary": True}],
    )


def raw_row(sql: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone()


def test_phones_and_id_numbers_are_never_stored_in_clear(person):
    """The raw columns hold ciphertext; neither the number nor its digits appear in them."""
    contact = person.contacts.get()
    mobile, landline, mobile_hash, landline_hash = raw_row(
        "SELECT mobile, landline, mobile_hash, landline_hash FROM customers_contact WHERE id = %s", contact.pk
    )
    (id_number, id_hash) = raw_row("SELECT id_number, id_number_hash FROM customers_customer WHERE id = %s", person.pk)
    for stored in (mobile, landline, id_number, mobile_hash, landline_hash, id_hash):
        assert stored
        for secret in (MOBILE, "12345678", "62345678", ID_NUMBER, "19491231"):
            assert secret not in stored
    # the same plaintext encrypts differently each time (no dictionary attack on ciphertext)
    other = make_customer(contacts=[{"name": "x", "mobile": MOBILE}]).contacts.get()
    (other_mobile,) = raw_row("SELECT mobile FROM customers_contact WHERE id = %s", other.pk)
    assert other_mobile != mobile
    # and Python code reads the plaintext back
    assert Contact.objects.get(pk=contact.pk).mobile == MOBILE
    assert Customer.objects.get(pk=person.pk).id_number == ID_NUMBER


@pytest.mark.parametrize("query", [MOBILE, "138 1234 5678", "138-1234-5678", "+86 138 1234 5678", LANDLINE])
def test_exact_phone_finds_the_customer_through_the_list_search(person, client_for, people, query):
    make_customer(team=person.team, contacts=[{"name": "别人", "mobile": "13900000000"}])
    page = client_for("supervisor").get("/customers/", {"q": query})
    assert [c.pk for c in page.context["page"].object_list] == [person.pk]
    api = Client().get("/api/v1/customers", {"q": query}, **bearer(people["supervisor"]))
    assert [row["id"] for row in api.json()["items"]] == [person.pk]


def test_exact_id_number_finds_the_customer(person, client_for):
    page = client_for("supervisor").get("/customers/", {"q": ID_NUMBER.lower()})
    assert [c.pk for c in page.context["page"].object_list] == [person.pk]


def test_part_of_a_phone_number_does_not_reveal_a_customer(person, client_for):
    """Phones are only found by exact number: the ciphertext cannot be searched by fragment."""
    page = client_for("supervisor").get("/customers/", {"q": "5678"})
    assert list(page.context["page"].object_list) == []


def test_agent_sees_masked_numbers_on_page_and_api(person, client_for, people):
    html = client_for("agent").get(f"/customers/{person.pk}/").content.decode()
    assert "138****5678" in html and MOBILE not in html
    assert "62345678" not in html and "****5678" in html
    assert "110105********002X" in html and ID_NUMBER not in html

    data = Client().get(f"/api/v1/customers/{person.pk}", **bearer(people["agent"])).json()
    assert data["contacts"][0]["mobile"] == "138****5678"
    assert data["contacts"][0]["landline"].endswith("5678") and "6234" not in data["contacts"][0]["landline"]
    assert data["id_number"] == "110105********002X"
    contacts = Client().get(f"/api/v1/customers/{person.pk}/contacts", **bearer(people["agent"])).json()
    assert contacts[0]["mobile"] == "138****5678"


def test_supervisor_sees_numbers_in_full(person, client_for, people):
    html = client_for("supervisor").get(f"/customers/{person.pk}/").content.decode()
    assert MOBILE in html and LANDLINE in html and ID_NUMBER in html
    data = Client().get(f"/api/v1/customers/{person.pk}", **bearer(people["supervisor"])).json()
    assert data["contacts"][0]["mobile"] == MOBILE
    assert data["id_number"] == ID_NUMBER


def test_contact_write_answer_does_not_leak_numbers_to_an_agent(person, people):
    """Adding a contact over the API as an agent answers the contact with its mobile masked."""
    response = Client().post(
        f"/api/v1/customers/{person.pk}/contacts",
        {"name": "新联系人", "mobile": "13911112222"},
        content_type="application/json",
        **bearer(people["agent"]),
    )
    assert response.status_code == 201
    assert response.json()["mobile"] == "139****2222"
