"""Generated API inputs (schemathesis): whatever a client sends, the API never answers 5xx."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

from kefu.wsgi import application
from tests.customers.factories import make_customer, token_for

EXAMPLES_PER_OPERATION = 50


@pytest.fixture
def _keep_test_connection():
    """schemathesis calls the WSGI app directly; Django would close the test's connection after each
    request (PostgreSQL then fails the next query). Django's own test client switches that off the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db(transaction=False)
@pytest.mark.usefixtures("_keep_test_connection")
def test_no_operation_answers_a_server_error(people, teams):
    """Every operation of /api/v1/openapi.json, fed generated data as the CS manager, answers < 500."""
    customer = make_customer(team=teams["cs_east"], contacts=[{"name": "测试联系人", "mobile": "13812345678"}])
    assert customer.pk
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    headers = {"Authorization": f"Bearer {token_for(people['cs_manager'])}"}
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _fuzz(operation, headers, failures, statuses)
        except Exception as exc:  # collect every failing operation before reporting
            failures.append(f"{operation.label}: {exc}")
    assert operations >= 15
    # the token worked and the generator reached the handlers: successes and refusals both happened
    assert sum(n for code, n in statuses.items() if code < 300) > 20, statuses
    assert statuses[401] == 0, statuses
    assert not failures, "\n".join(failures)


def _fuzz(operation, headers: dict[str, str], failures: list[str], statuses: Counter[int]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(f"{operation.label}: {response.status_code} for {case.as_curl_command()}")
        case.validate_response(response, checks=[not_a_server_error])

    run()
