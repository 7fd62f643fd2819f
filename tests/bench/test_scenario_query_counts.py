"""Every page the load client measures issues as many SQL queries for a full page as for a short one.

The requests are the bench scenarios' own (`bench.scenarios`, the same paths, users and tokens the
load client sends, prepared by `bench.suite.kefu_fixture`), served in process on the tiny
generated company. A list is read at its first page and at its last, shorter one (an API list at
two page sizes); a case or shipment page before and after ten more timeline or tracking events. A query per row (N+1)
makes the two counts differ. Pages without rows (the manager's home, the KPI report) keep under
a fixed number of queries.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from bench.data import generate
from bench.load import Request
from bench.scenarios import SCENARIOS
from bench.suite import kefu_fixture
from tests.bench.conftest import NOW, quiet

# Pages of one thing, not a list: their query count is bounded instead.
BOUNDED = {"dashboard": 40, "kpi_report": 15}  # the KPI page reads the stored snapshot
# Lists whose scenario requests are short in the tiny company (today's visits): also read wider.
WIDER = {"visit_queue": {"queue": "all"}}
# Writes (intake, intake_batch) have their statement counts tested with the API.
READ_SCENARIOS = sorted(
    name for name, spec in SCENARIOS.items() if "kefu" in spec.builders and not name.startswith("intake")
)


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """The tiny company with 310 shipments, so the shipment list's last page is a short one."""
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        yield generate(scale="tiny", seed=7, now=NOW, log=quiet, shipments=310)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def load_fixture(generated, django_db_blocker):
    with django_db_blocker.unblock():
        return kefu_fixture(seed=7)


def _requests(name: str, fixture: dict) -> list[Request]:
    scenario = SCENARIOS[name].builders["kefu"](fixture)
    distinct = {}
    for i in range(12):
        request = scenario.make(i)
        distinct.setdefault((request.path, tuple(request.headers.items())), request)
        for wider in [WIDER[name]] if name in WIDER else []:
            widened = Request(request.method, _with(request.path, **wider), headers=request.headers)
            distinct.setdefault((widened.path, tuple(request.headers.items())), widened)
    return list(distinct.values())


def _with(path: str, **params: object) -> str:
    parts = urlsplit(path)
    query = {**dict(parse_qsl(parts.query)), **{k: str(v) for k, v in params.items()}}
    return f"{parts.path}?{urlencode(query)}"


def _get(path: str, request: Request) -> tuple[int, object]:
    """(queries, response) for `path` sent with the scenario request's cookie or token, once warm
    (the first use of a session or token may write its last-seen time)."""
    client = Client()
    client.get(path, headers=dict(request.headers))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=dict(request.headers))
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), response


def _rows(response: object) -> int:
    if response.context is not None and response.context.get("page") is not None:
        return len(response.context["page"].object_list)
    return len(response.json()["items"])


def _shape(path: str) -> tuple[str, tuple[str, ...]]:
    """A list request without what only changes which rows come back: the words searched (not whether
    there are any: a number search adds its own lookups) and the page."""
    parts = urlsplit(path)
    params = parse_qsl(parts.query)
    kept = tuple(sorted((k, v) for k, v in params if k not in ("q", "page", "page_size")))
    return parts.path, (*kept, ("searched", str(any(k == "q" for k, _v in params))))


def _samples(request: Request) -> list[tuple[int, int, str]]:
    """(queries, rows, path) of the request's first page and of a shorter one where the list has it:
    its last page, or for the API a page of two."""
    queries, response = _get(request.path, request)
    samples = [(queries, _rows(response), request.path)]
    if request.path.startswith("/api/"):
        shorter = _with(request.path, page_size=2)
    elif response.context["page"].paginator.num_pages > 1:
        shorter = _with(request.path, page=response.context["page"].paginator.num_pages)
    else:
        return samples
    queries, response = _get(shorter, request)
    return [*samples, (queries, _rows(response), shorter)]


@pytest.mark.parametrize("name", READ_SCENARIOS)
def test_a_full_page_costs_the_queries_of_a_short_one(name, load_fixture, db):
    if name in BOUNDED:
        for request in _requests(name, load_fixture):
            queries, _response = _get(request.path, request)
            assert queries <= BOUNDED[name], (request.path, queries)
        return
    if name in GROW:
        [request] = _requests(name, load_fixture)
        before, _response = _get(request.path, request)
        marker = GROW[name](load_fixture)
        after, response = _get(request.path, request)
        assert marker in response.content.decode()
        assert after == before
        return
    if name in GROW_LISTS:
        requests = _requests(name, load_fixture)
        before = [(_get(r.path, r)[0], _rows(_get(r.path, r)[1])) for r in requests]
        GROW_LISTS[name](load_fixture)
        for request, (queries, rows) in zip(requests, before, strict=True):
            more_queries, response = _get(request.path, request)
            assert _rows(response) > rows, request.path
            if rows:  # an empty page may skip loading rows at all
                assert more_queries == queries, (request.path, f"{rows} rows", f"{_rows(response)} rows")
        assert any(rows for _queries, rows in before), f"{name}: no word found anything before"
        return
    # Pages of one shape (the same list and filters; other words or another page) with rows on them
    # cost the same queries; at least one shape must be seen with two different numbers of rows.
    by_shape: dict[tuple, list[tuple[int, int, str]]] = {}
    for request in _requests(name, load_fixture):
        shape = (*_shape(request.path), tuple(request.headers.items()))
        by_shape.setdefault(shape, []).extend(_samples(request))
    compared = 0
    for samples in by_shape.values():
        with_rows = [s for s in samples if s[1] > 0]
        assert len({queries for queries, _rows_, _path in with_rows}) <= 1, with_rows
        compared += len({rows for _queries, rows, _path in with_rows}) > 1
    assert compared, f"{name}: no list of the scenario was seen with two different numbers of rows"


def _ten_more_case_messages(fixture: dict) -> str:
    from kefu.tickets.models import Case
    from kefu.tickets.services import case_add_message

    for i in range(10):
        case = Case.objects.get(pk=fixture["busy_case_id"])
        case_add_message(actor=None, case=case, direction="in", channel="hotline", body=f"客户再次来电询问进度（{i}）")
    return "客户再次来电询问进度（9）"


def _ten_more_tracking_events(fixture: dict) -> str:
    import datetime as dt

    from django.utils import timezone

    from kefu.operations.models import Shipment
    from kefu.operations.services import shipment_add_event

    shipment = Shipment.objects.get(pk=fixture["shipment_id"])
    for i in range(10):
        shipment_add_event(
            actor=None,
            shipment=shipment,
            kind="arrived_hub",
            occurred_at=timezone.now() - dt.timedelta(minutes=20 - i),
            place=f"中转场{i}号",
            inform_customer=False,
        )
    return "中转场9号"


def _more_cases_with_the_words(fixture: dict) -> None:
    from kefu.customers.models import Customer
    from kefu.tickets.services import case_receive

    customer = Customer.objects.get(pk=fixture["customer_ids"][0])  # served by agent1's team
    for i in range(12):
        case_receive(
            actor=None,
            data={
                "kind": "complaint",
                "nature": "hard",
                "title": f"第{i}批货物破损，对账单有误",
                "description": "屏幕碎裂，要求赔偿",
                "channel": "hotline",
                "customer": customer,
            },
        )


def _more_customers_with_the_words(fixture: dict) -> None:
    from kefu.accounts.models import User
    from tests.customers.factories import make_customer

    team = User.objects.get(username="agent1").team
    for i in range(12):
        make_customer(name=f"华东{i}号物流供应链电子科技有限公司", team=team)


# Lists searched by words: more matching records must cost no query (the words themselves may:
# a longer word is looked up by more tokens).
GROW_LISTS = {"search_cases": _more_cases_with_the_words, "search_customers": _more_customers_with_the_words}


# One record's page whose rows (timeline, tracking events) grow: ten more must cost no query.
GROW = {"detail": _ten_more_case_messages, "shipment_page": _ten_more_tracking_events}
