import pytest

from tests.tickets.conftest import customer, office_hours, receive, staff, walk  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
