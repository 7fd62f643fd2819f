"""Logins and lock-out, password change, language choice, personal API tokens."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from kefu.accounts.models import ApiToken, User
from kefu.accounts.services import api_token_issue, login_failed
from kefu.core.models import AuditEvent
from tests.conftest import PASSWORD


def login(username: str, password: str, client: Client | None = None):
    client = client or Client()
    return client, client.post("/accounts/login/", {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------- login and lock-out


def test_login_with_the_right_password_succeeds_and_resets_the_failure_count(people):
    login_failed(username="agent")
    client, response = login("agent", PASSWORD)
    assert response.status_code == 302 and logged_in(client)
    assert User.objects.get(username="agent").failed_login_count == 0


def test_account_locks_after_the_failure_limit_and_refuses_even_the_right_password(people):
    limit = settings.LOGIN_FAILURE_LIMIT
    for _ in range(limit - 1):
        _client, response = login("agent", "wrong-password")
        assert response.status_code == 200
    assert not User.objects.get(username="agent").is_locked
    login("agent", "wrong-password")  # the limit-th failure locks
    assert User.objects.get(username="agent").is_locked
    assert AuditEvent.objects.filter(action="accounts.user.locked").count() == 1

    client, response = login("agent", PASSWORD)
    assert response.status_code == 200 and not logged_in(client)
    assert response.context["form"].errors["__all__"]
    assert response.context["form"].non_field_errors().as_data()[0].code == "locked"


def test_admin_unlocks_a_locked_account(people, client_for):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        login("agent", "wrong-password")
    agent = User.objects.get(username="agent")
    assert agent.is_locked

    assert client_for("supervisor").post(f"/accounts/users/{agent.pk}/unlock/").status_code == 403
    assert User.objects.get(pk=agent.pk).is_locked

    assert client_for("admin").post(f"/accounts/users/{agent.pk}/unlock/").status_code == 302
    assert not User.objects.get(pk=agent.pk).is_locked
    client, response = login("agent", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_failures_of_an_unknown_username_do_not_error(db):
    _client, response = login("nobody", "whatever")
    assert response.status_code == 200
    assert not User.objects.filter(username="nobody").exists()


def test_logout_ends_the_session(people):
    client, _ = login("agent", PASSWORD)
    client.post("/accounts/logout/")
    assert not logged_in(client)
    assert client.get("/customers/").status_code == 302


# ---------------------------------------------------------------- password change


def test_password_change_refuses_a_wrong_current_password(people, client_for):
    client = client_for("agent")
    response = client.post(
        "/accounts/password/",
        {"old_password": "not-it", "new_password": "Another-pass-2026", "new_password_again": "Another-pass-2026"},
    )
    assert response.status_code == 400
    assert "old_password" in response.context["form"].errors
    assert User.objects.get(username="agent").check_password(PASSWORD)


def test_password_change_refuses_mismatch_and_weak_passwords(people, client_for):
    client = client_for("agent")
    mismatch = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Another-pass-2026", "new_password_again": "x"},
    )
    assert "new_password_again" in mismatch.context["form"].errors
    weak = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": "123", "new_password_again": "123"}
    )
    assert weak.status_code == 400
    assert User.objects.get(username="agent").check_password(PASSWORD)


def test_password_change_keeps_the_session_and_the_new_password_works(people):
    client, _ = login("agent", PASSWORD)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password": "Another-pass-2026", "new_password_again": "Another-pass-2026"},
    )
    assert response.status_code == 302
    assert client.get("/customers/").status_code == 200  # still signed in
    assert login("agent", PASSWORD)[1].status_code == 200  # old one refused
    fresh, response = login("agent", "Another-pass-2026")
    assert response.status_code == 302 and logged_in(fresh)
    assert AuditEvent.objects.filter(action="accounts.user.password_changed").count() == 1


# ---------------------------------------------------------------- language


@pytest.mark.parametrize(("language", "word"), [("en", "Customer archive"), ("zh-hant", "客戶檔案")])
def test_language_choice_is_stored_on_the_user_and_serves_the_ui(people, client_for, language, word):
    client = client_for("agent")
    default = client.get("/customers/")
    assert default["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in default.content.decode()
    assert "客户档案" in default.content.decode()

    assert client.post("/accounts/language/", {"language": language, "next": "/customers/"}).status_code == 302
    assert User.objects.get(username="agent").language == language

    # a new session on another browser gets the user's language from the account
    other = Client()
    other.force_login(User.objects.get(username="agent"))
    response = other.get("/customers/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response["Content-Language"] == language
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert word in html


def test_unsupported_language_is_refused(people, client_for):
    client_for("agent").post("/accounts/language/", {"language": "xx"})
    assert User.objects.get(username="agent").language == ""


# ---------------------------------------------------------------- API tokens


def test_api_token_is_shown_once_and_stored_only_as_a_hash(people, client_for):
    response = client_for("agent").post("/accounts/me/", {"name": "ERP 对接"})
    raw = response.context["new_token"]
    assert raw and raw.startswith("kefu_")
    token = ApiToken.objects.get(user=people["agent"])
    assert token.key_hash != raw and len(token.key_hash) == 64
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert rows and all(raw not in str(value) for row in rows for value in row)
    # the profile page does not show it again
    assert raw not in client_for("agent").get("/accounts/me/").content.decode()


def test_bearer_token_authenticates_and_a_revoked_one_is_refused(people, client_for):
    _token, raw = api_token_issue(actor=people["agent"], user=people["agent"], name="tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    me = Client().get("/api/v1/users/me", **auth)
    assert me.status_code == 200 and me.json()["username"] == "agent"
    assert ApiToken.objects.get().last_used_at is not None

    token = ApiToken.objects.get()
    assert client_for("supervisor").post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 404
    assert client_for("agent").post(f"/accounts/me/tokens/{token.pk}/revoke/").status_code == 302
    revoked = Client().get("/api/v1/users/me", **auth)
    assert revoked.status_code == 401 and revoked.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Bearer kefu_not-a-real-token"}, {"HTTP_AUTHORIZATION": "Basic YWdlbnQ6eA=="}],
)
def test_api_without_valid_credentials_answers_401(db, headers):
    response = Client().get("/api/v1/customers", **headers)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_token_of_a_deactivated_user_is_refused(people):
    _token, raw = api_token_issue(actor=None, user=people["agent"], name="tests")
    User.objects.filter(username="agent").update(is_active=False)
    assert Client().get("/api/v1/users/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


# ---------------------------------------------------------------- directory


@pytest.mark.parametrize("department", ["99999999999999999999", "abc", "-1", ""])
def test_directory_ignores_impossible_department_filters(people, client_for, department):
    """A hand-edited ?department= never breaks the staff directory."""
    response = client_for("agent").get("/accounts/directory/", {"department": department})
    assert response.status_code == 200
