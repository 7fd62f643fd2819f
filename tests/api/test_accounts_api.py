"""REST API v1 for staff and departments; OpenAPI schema and its local docs page."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from kefu.accounts.models import Department, User
from tests.api.test_customers_api import Api


@pytest.fixture
def api(people):
    return {name: Api(user) for name, user in people.items()}


def test_me_and_user_list(api, people, departments):
    assert api["agent"].get("/users/me").json()["username"] == "agent"
    listed = api["agent"].get("/users", {"department": departments["cs"].pk})
    assert listed.status_code == 200
    assert {u["username"] for u in listed.json()["items"]} == {"agent", "agent_other", "supervisor", "cs_manager"}
    by_role = api["agent"].get("/users", {"role": "dept_manager"}).json()["items"]
    assert [u["username"] for u in by_role] == ["dept_manager"]


def test_admin_creates_users_and_others_may_not(api, departments, teams):
    body = {
        "username": "newbie",
        "password": "Strong-pass-2026",
        "role": "agent",
        "department_id": departments["cs"].pk,
        "team_id": teams["cs_east"].pk,
        "display_name": "新人",
    }
    assert api["cs_manager"].post("/users", body).status_code == 403
    created = api["admin"].post("/users", body)
    assert created.status_code == 201
    assert created.json()["team_id"] == teams["cs_east"].pk
    newbie = User.objects.get(username="newbie")
    assert newbie.check_password("Strong-pass-2026") and "Strong-pass-2026" not in newbie.password

    again = api["admin"].post("/users", body)
    assert again.status_code == 400 and again.json()["field"] == "username"


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"password": "password"}, 400, "password"),  # common password
        ({"password": "short"}, 422, "password"),
        ({"role": "emperor"}, 422, "role"),
        ({"username": ""}, 422, "username"),
        ({"team": "wrong-department"}, 400, "team"),
        ({"department_id": 999999}, 404, None),
    ],
)
def test_bad_user_input_answers_4xx_json(api, departments, teams, changes, status, field):
    body = {"username": "newbie", "password": "Strong-pass-2026", "role": "agent"}
    body.update(changes)
    if body.pop("team", None):
        body.update(department_id=departments["sales"].pk, team_id=teams["cs_east"].pk)
    response = api["admin"].post("/users", body)
    assert response.status_code == status, response.content
    assert response.json()["detail"]
    if field:
        assert response.json()["field"] == field
    assert not User.objects.filter(username="newbie").exists()


def test_departments_list_and_create(api):
    codes = {d["code"] for d in api["agent"].get("/departments").json()}
    assert {"cs", "sales", "marketing"} <= codes
    assert api["supervisor"].post("/departments", {"code": "legal", "name": "法务部"}).status_code == 403
    created = api["general_manager"].post("/departments", {"code": "legal", "name": "法务部"})
    assert created.status_code == 201 and created.json()["is_customer_service"] is False
    assert Department.objects.filter(code="legal").exists()
    duplicate = api["admin"].post("/departments", {"code": "legal", "name": "另一个"})
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "code"
    same_name = api["admin"].post("/departments", {"code": "legal2", "name": "法务部"})
    assert same_name.status_code == 400 and same_name.json()["field"] == "name"
    bad_code = api["admin"].post("/departments", {"code": "法务 部", "name": "x"})
    assert bad_code.status_code == 422 and bad_code.json()["field"] == "code"


def test_openapi_schema_describes_the_v1_api(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/customers",
        "/api/v1/customers/{pk}",
        "/api/v1/customers/{pk}/contacts",
        "/api/v1/customers/change-requests",
        "/api/v1/users",
        "/api/v1/departments",
    ):
        assert path in schema["paths"], path
    assert "BearerAuth" in str(schema["components"]["securitySchemes"]) or "TokenAuth" in str(
        schema["components"]["securitySchemes"]
    )


def test_api_docs_page_uses_only_local_assets(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert asset.startswith("/static/"), asset
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not shipped"
