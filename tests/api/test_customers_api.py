"""REST API v1 for customers, contacts and change requests: flows, and every bad input a 4xx JSON."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.customers.models import ChangeRequest, Contact, Customer
from tests.customers.factories import bearer, make_customer


class Api:
    """A JSON client authenticated with one user's Bearer token."""

    def __init__(self, user):
        self.client = Client()
        self.auth = bearer(user)

    def get(self, url, params=None):
        return self.client.get(f"/api/v1{url}", params or {}, **self.auth)

    def post(self, url, body):
        return self.client.post(f"/api/v1{url}", body, content_type="application/json", **self.auth)

    def patch(self, url, body):
        return self.client.patch(f"/api/v1{url}", body, content_type="application/json", **self.auth)

    def delete(self, url):
        return self.client.delete(f"/api/v1{url}", **self.auth)


@pytest.fixture
def api(people):
    return {name: Api(user) for name, user in people.items()}


def test_customer_crud_flow(api, people, teams):
    created = api["agent"].post(
        "/customers",
        {
            "name": "宁波港通物流有限公司",
            "ownership": "private",
            "region": "zhejiang",
            "credit_rating": "AA",
            "annual_amount": "520.50",
            "team_id": teams["cs_east"].pk,
            "cooperation_start": "2020-04-01",
            "contacts": [{"name": "周杰", "mobile": "13812345678", "is_primary": True}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("KH") and body["grade"] == "A" and body["version"] == 1
    assert body["contacts"][0]["mobile"] == "138****5678"  # an agent sees it masked
    pk = body["id"]

    read = api["supervisor"].get(f"/customers/{pk}")
    assert read.status_code == 200 and read.json()["contacts"][0]["mobile"] == "13812345678"

    listed = api["agent"].get("/customers", {"q": "港通"})
    assert [row["id"] for row in listed.json()["items"]] == [pk]

    changed = api["agent"].patch(f"/customers/{pk}", {"version": 1, "annual_amount": "50", "satisfaction": "satisfied"})
    assert changed.status_code == 200
    assert (changed.json()["grade"], changed.json()["version"], changed.json()["satisfaction"]) == ("B", 2, "satisfied")

    # taking the customer out of the agent's team answers what was saved (not a 404 after a successful write)
    cleared = api["agent"].patch(f"/customers/{pk}", {"version": 2, "satisfaction": None, "team_id": None})
    assert cleared.status_code == 200
    assert cleared.json()["satisfaction"] == "" and cleared.json()["team_id"] is None
    assert api["agent"].get(f"/customers/{pk}").status_code == 404

    override = api["cs_manager"].post(f"/customers/{pk}/grade-override", {"grade": "A", "reason": "战略客户"})
    assert override.status_code == 200
    assert (override.json()["grade"], override.json()["grade_override_reason"]) == ("A", "战略客户")
    no_reason = api["cs_manager"].post(f"/customers/{pk}/grade-override", {"grade": "B", "reason": ""})
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"


def test_contact_flow(api, teams):
    customer = make_customer(team=teams["cs_east"])
    base = f"/customers/{customer.pk}/contacts"
    added = api["agent"].post(base, {"name": "孙丽", "mobile": "13700001111", "email": "sun@example.cn"})
    assert added.status_code == 201
    contact = added.json()
    assert contact["version"] == 1

    assert [c["name"] for c in api["agent"].get(base).json()] == ["孙丽"]
    url = f"{base}/{contact['id']}"
    updated = api["agent"].patch(url, {"version": 1, "title": "仓储主管"})
    assert updated.status_code == 200 and updated.json()["title"] == "仓储主管"
    stale = api["agent"].patch(url, {"version": 1, "title": "旧"})
    assert stale.status_code == 409 and stale.json()["field"] == "version"
    bad = api["agent"].patch(url, {"version": 2, "mobile": "888"})
    assert bad.status_code == 400 and bad.json()["field"] == "mobile"

    other = make_customer(team=teams["cs_east"])
    assert api["agent"].patch(f"/customers/{other.pk}/contacts/{contact['id']}", {"version": 2}).status_code == 404
    assert api["agent"].delete(url).status_code == 204
    assert not Contact.objects.filter(pk=contact["id"]).exists()
    assert api["agent"].delete(url).status_code == 404


def test_change_request_flow(api, people, teams):
    customer = make_customer(team=teams["cs_east"], account_manager=people["sales_rep"])
    submitted = api["sales_rep"].post(
        f"/customers/{customer.pk}/change-requests", {"changes": {"city": "宁波", "is_key": True}, "reason": "客户升级"}
    )
    assert submitted.status_code == 201
    request_id = submitted.json()["id"]
    assert submitted.json()["status"] == "pending"

    # the sales rep may not edit directly: told to file a change request instead
    direct = api["sales_rep"].patch(f"/customers/{customer.pk}", {"version": 1, "city": "宁波"})
    assert direct.status_code == 403 and "change request" in direct.json()["detail"]

    pending = api["supervisor"].get("/customers/change-requests", {"status": "pending"})
    assert [r["id"] for r in pending.json()["items"]] == [request_id]
    assert api["supervisor"].get("/customers/change-requests", {"status": "nonsense"}).status_code == 422

    url = f"/customers/change-requests/{request_id}"
    assert api["sales_rep"].post(f"{url}/approve", {"verification_method": "in_person"}).status_code == 403
    unverified = api["supervisor"].post(f"{url}/approve", {})
    assert unverified.status_code == 422 and unverified.json()["field"] == "verification_method"
    approved = api["supervisor"].post(f"{url}/approve", {"verification_method": "in_person", "note": "当面核对"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["reviewed_by_id"] == people["supervisor"].pk
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.city, fresh.is_key, fresh.grade) == ("宁波", True, "A")

    twice = api["supervisor"].post(f"{url}/reject", {"note": "再来一次"})
    assert twice.status_code == 400 and twice.json()["field"] == "status"
    assert (
        api["supervisor"]
        .post("/customers/change-requests/999999/approve", {"verification_method": "in_person"})
        .status_code
        == 404
    )


def test_rejecting_over_the_api_needs_a_note(api, people, teams):
    customer = make_customer(team=teams["cs_east"], account_manager=people["sales_rep"])
    request = (
        api["sales_rep"]
        .post(f"/customers/{customer.pk}/change-requests", {"changes": {"city": "宁波"}, "reason": "x"})
        .json()
    )
    url = f"/customers/change-requests/{request['id']}/reject"
    assert api["supervisor"].post(url, {"note": ""}).status_code == 422
    rejected = api["supervisor"].post(url, {"note": "核实后无变化"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert ChangeRequest.objects.get().review_note == "核实后无变化"


VALID = {"name": "合法公司", "ownership": "private", "region": "beijing"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**VALID, "name": ""}, 422, "name"),
        ({"ownership": "private", "region": "beijing"}, 422, "name"),
        ({**VALID, "region": "atlantis"}, 422, "region"),
        ({**VALID, "annual_amount": "lots"}, 422, "annual_amount"),
        ({**VALID, "annual_amount": "-1"}, 422, "annual_amount"),
        ({**VALID, "cooperation_start": "2024-02-30"}, 422, "cooperation_start"),
        ({**VALID, "account_manager_id": 999999}, 400, "account_manager_id"),
        ({**VALID, "team_id": 999999}, 400, "team_id"),
        ({**VALID, "id_number": "123456"}, 400, "id_number"),
        ({**VALID, "contacts": [{"name": "甲", "mobile": "12345"}]}, 400, "mobile"),
        ({**VALID, "contacts": [{"name": "甲", "email": "not-an-email"}]}, 400, "email"),
        ({**VALID, "contacts": [{"mobile": "13812345678"}]}, 422, "name"),
        ({**VALID, "name": "长" * 121}, 422, "name"),
    ],
)
def test_bad_customer_input_answers_4xx_json_naming_the_field(api, body, status, field):
    response = api["agent"].post("/customers", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({}, "changes"),
        ({"password": "x"}, "changes"),
        ({"region": "atlantis"}, "region"),
        ({"annual_amount": "lots"}, "annual_amount"),
        ({"account_manager": 999999}, "account_manager"),
    ],
)
def test_bad_change_request_answers_400_naming_the_field(api, people, teams, changes, field):
    customer = make_customer(team=teams["sales_north"])
    response = api["sales_rep"].post(f"/customers/{customer.pk}/change-requests", {"changes": changes, "reason": "x"})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/customers", "{not json"),
        ("post", "/customers", "[]"),
        ("patch", "/customers/{pk}", "{}"),  # version missing
        ("patch", "/customers/{pk}", '{"version": "one"}'),
        ("get", "/customers/abc", None),
        ("get", "/customers?team=99999999999999999999", None),
        ("get", "/customers?account_manager=-5", None),
        ("get", "/customers?page=0", None),
        ("get", "/customers?page=abc", None),
        ("get", "/customers/99999999999999999999", None),
        ("get", "/customers/change-requests?status=x", None),
        ("get", "/users?department=99999999999999999999", None),
        ("get", "/users?role=emperor", None),
    ],
)
def test_malformed_requests_answer_4xx_never_500(api, teams, method, url, body):
    customer = make_customer(team=teams["cs_east"])
    url = url.format(pk=customer.pk)
    client, auth = api["cs_manager"].client, api["cs_manager"].auth
    if body is None:
        response = getattr(client, method)(f"/api/v1{url}", **auth)
    else:
        response = getattr(client, method)(f"/api/v1{url}", body, content_type="application/json", **auth)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["detail"]


@pytest.mark.parametrize("url", ["/api/v1/customers", "/api/v1/customers/change-requests", "/api/v1/users"])
def test_a_page_number_too_large_for_the_database_answers_422(url, people):
    """page=2**60 would overflow the SQL OFFSET; the API refuses it, naming the parameter."""
    response = Client().get(url, {"page": 2**60, "page_size": 5000}, **bearer(people["cs_manager"]))
    assert response.status_code == 422
    assert response.json()["field"] in {"page", "page_size"}


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("get", "/api/v1/users?q=a%00b", None),
        ("get", "/api/v1/customers?q=%E7%89%A9%00", None),
        ("post", "/api/v1/customers", '{"name": "a\\u0000b", "ownership": "private", "region": "shanghai"}'),
    ],
)
def test_a_nul_character_anywhere_answers_400(method, url, payload, people):
    """PostgreSQL cannot hold NUL in text; the API says so instead of failing with a 500."""
    client = Client()
    kwargs = bearer(people["cs_manager"])
    if payload is None:
        response = client.get(url, **kwargs)
    else:
        response = client.post(url, payload, content_type="application/json", **kwargs)
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
