"""The queue pages, the API list, keyword search and the case page read a fixed number of queries,
however many cases there are and however long the case's timeline is."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kefu.tickets.services import case_add_message
from tests.customers.factories import bearer

QUEUE_PAGES = ["/cases/?queue=open", "/cases/?queue=breaching", f"/cases/?queue=all&q={quote('破损')}"]
# session, user and their department; count, the page's ids, its rows; unread notices; assignable staff.
QUEUE_PAGE_QUERIES = 8
# token; count, the page's ids, its rows
API_LIST_QUERIES = 4
# session, user, department; the case, its solutions, clocks, timeline and previous cases; unread notices;
# the choices of the step forms (departments, staff); the messages exchanged and the evidence files.
# An agent's permission checks add one visibility query, however many steps the page offers.
CASE_PAGE_QUERIES = {"supervisor": 14, "agent": 15}


def _queries(client, url: str, **headers) -> int:
    client.get(url, **headers)  # warm: the first request may fill caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **headers).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_queue_and_search_pages_read_the_same_queries_for_2_cases_and_for_40(
    who, receive, client_for, django_assert_max_num_queries
):
    client = client_for(who)
    # A week ago, so every case is overdue and in the breaching queue whatever the hour of the run
    # (cases received now, after 18:00 Beijing time, are first due the next working morning).
    received_at = timezone.now() - dt.timedelta(days=7)
    for _ in range(2):
        receive(title="外箱破损", actor="cs_manager", received_at=received_at)
    few = {url: _queries(client, url) for url in QUEUE_PAGES}
    for _ in range(38):
        receive(title="外箱破损", actor="cs_manager", received_at=received_at)
    for url in QUEUE_PAGES:
        with django_assert_max_num_queries(QUEUE_PAGE_QUERIES):
            response = client.get(url)
        assert response.content.count(b'name="case"') == 25  # a full page of 25 out of 40
        assert _queries(client, url) == few[url]


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_the_api_list_reads_the_same_queries_for_2_cases_and_for_40(
    who, people, receive, client, django_assert_max_num_queries
):
    headers = bearer(people[who])
    for _ in range(2):
        receive(actor="cs_manager")
    few = _queries(client, "/api/v1/cases?queue=open", **headers)
    for _ in range(38):
        receive(actor="cs_manager")
    with django_assert_max_num_queries(API_LIST_QUERIES):
        assert len(client.get("/api/v1/cases?queue=open", **headers).json()["items"]) == 40  # a page holds 50
    assert _queries(client, "/api/v1/cases?queue=open", **headers) == few


@pytest.mark.parametrize("who", ["supervisor", "agent"])
def test_the_case_page_reads_the_same_queries_for_a_short_and_a_long_timeline(
    who, staff, receive, client_for, django_assert_max_num_queries
):
    client = client_for(who)
    case = receive()
    receive()  # a previous case of the same customer
    url = f"/cases/{case.pk}/"
    short = _queries(client, url)
    for n in range(20):
        case_add_message(actor=staff["agent"], case=case, direction="out", channel="sms", body=f"第{n}次回复")
    with django_assert_max_num_queries(CASE_PAGE_QUERIES[who]):
        response = client.get(url)
    assert len(response.context["timeline"]) == 21  # receipt and 20 messages
    assert _queries(client, url) == short
