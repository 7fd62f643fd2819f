"""One tiny generated company per test module (`generated`), at a fixed `NOW`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from bench.data import generate

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, a Friday


def quiet(_message: str) -> None:
    pass


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """One tiny company for the module's tests (each test still runs in its own savepoint)."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield generate(scale="tiny", seed=7, now=NOW, log=quiet)
        transaction.set_rollback(True)
