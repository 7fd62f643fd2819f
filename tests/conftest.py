"""Shared fixtures: named personas for every role, one per scope that matters."""

from __future__ import annotations

import pytest
from django.test import Client

from kefu.accounts.models import Department, Role, Team, User
from kefu.accounts.services import team_create, user_create
from kefu.core.configcache import config_caches_clear

PASSWORD = "Kefu-test-2026!"


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Tasks run in-process during tests, so their effects can be asserted."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hashing speed is irrelevant to what the tests check; the default hasher costs ~0.3 s a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_config_caches():
    """Each test starts from its own configuration rows: a rolled-back test sends no change signal."""
    config_caches_clear()
    yield
    config_caches_clear()


@pytest.fixture
def departments(db) -> dict[str, Department]:
    return {d.code: d for d in Department.objects.all()}


@pytest.fixture
def teams(departments) -> dict[str, Team]:
    return {
        "cs_east": team_create(actor=None, department=departments["cs"], name="华东组"),
        "cs_south": team_create(actor=None, department=departments["cs"], name="华南组"),
        "sales_north": team_create(actor=None, department=departments["sales"], name="华北销售组"),
    }


def make_user(username: str, role: str, department: Department | None, team: Team | None = None) -> User:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        department=department,
        team=team,
        display_name=username,
        email=f"{username}@example.test",
    )


@pytest.fixture
def people(departments, teams) -> dict[str, User]:
    """One user per role; `agent` and `agent_other` sit in different CS teams."""
    return {
        "agent": make_user("agent", Role.AGENT, departments["cs"], teams["cs_east"]),
        "agent_other": make_user("agent_other", Role.AGENT, departments["cs"], teams["cs_south"]),
        "supervisor": make_user("supervisor", Role.SUPERVISOR, departments["cs"], teams["cs_east"]),
        "cs_manager": make_user("cs_manager", Role.CS_MANAGER, departments["cs"]),
        "dept_manager": make_user("dept_manager", Role.DEPT_MANAGER, departments["sales"]),
        "sales_rep": make_user("sales_rep", Role.AGENT, departments["sales"], teams["sales_north"]),
        "marketing_director": make_user("marketing_director", Role.MARKETING_DIRECTOR, departments["marketing"]),
        "general_manager": make_user("general_manager", Role.GENERAL_MANAGER, None),
        "admin": make_user("admin", Role.ADMIN, None),
    }


@pytest.fixture
def client_for(people):
    """client_for("agent") is a test client logged in as that persona."""

    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make
