"""Browser-test fixtures: Debian's Chromium driven by Playwright's sync API against `live_server`.

Nothing is downloaded: Playwright launches the system browser at CHROMIUM (`apt-get install chromium
fonts-noto-cjk`); without it every browser test is skipped with the reason printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.accounts.models import Department, Role, Team, User
from kefu.accounts.services import team_create
from tests.conftest import PASSWORD, make_user

CHROMIUM = os.environ.get("KEFU_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """As in tests/: tasks run in-process (the live server shares this process), mail stays in memory."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _chromium_or_skip() -> None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium fonts-noto-cjk)"
        print(f"SKIPPED browser test: {reason}")
        pytest.skip(reason)
    fc_list = shutil.which("fc-list")
    fonts = subprocess.run([fc_list], capture_output=True, text=True, check=False).stdout if fc_list else ""
    if "Noto Sans CJK" not in fonts:
        print("WARNING: no Noto CJK font found (apt-get install fonts-noto-cjk); Chinese may render as boxes")


@pytest.fixture
def page(transactional_db, live_server) -> Iterator[object]:
    """A headless Chromium tab (fresh profile, user in mainland China) whose base URL is the live server.

    Playwright's sync API keeps an asyncio loop running in this thread while it is up. Django then (1)
    refuses ORM calls here unless DJANGO_ALLOW_ASYNC_UNSAFE is set, the documented way for Playwright with
    pytest-django, and (2) keeps a separate set of DB connections for the time the loop runs. So the browser
    starts only after the test database is set up (`transactional_db` first), the variable is set only
    while it runs, and the connections opened meanwhile are closed before it stops, before the flush.
    """
    _chromium_or_skip()
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            viewport={"width": 1366, "height": 900},
        )
        context.set_default_timeout(TIMEOUT_MS)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.js_errors = errors  # tests assert that no page threw
        yield tab
        context.close()
        browser.close()
    finally:
        connections.close_all()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def departments(transactional_db) -> dict[str, Department]:
    """The departments accounts/migrations/0002 seeds (serialized_rollback restores them after a flush)."""
    found = {d.code: d for d in Department.objects.all()}
    assert {"cs", "sales"} <= set(found), "seeded departments missing: is the test marked serialized_rollback?"
    return found


@pytest.fixture
def teams(departments) -> dict[str, Team]:
    return {
        "cs_east": team_create(actor=None, department=departments["cs"], name="华东组"),
        "sales_north": team_create(actor=None, department=departments["sales"], name="华北销售组"),
    }


@pytest.fixture
def people(departments, teams) -> dict[str, User]:
    return {
        "agent": make_user("e2e_agent", Role.AGENT, departments["cs"], teams["cs_east"]),
        "supervisor": make_user("e2e_supervisor", Role.SUPERVISOR, departments["cs"], teams["cs_east"]),
        "sales_rep": make_user("e2e_sales", Role.AGENT, departments["sales"], teams["sales_north"]),
    }


@pytest.fixture
def login(page):
    """login(user) signs in through the login page, as a person would."""

    def sign_in(user: User) -> None:
        page.goto("/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.locator("form[method=post] button[type=submit]").first.click()
        assert "/accounts/login/" not in page.url, f"login failed for {user.username}: {page.url}"

    return sign_in
