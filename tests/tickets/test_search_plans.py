"""A keyword search lists and counts the same cases whether its word is rare or common.

A common word (every token held by at least WALK_MIN cases) is listed by walking the deadline
index with the text test alone and counted through its tokens; a rare one is listed and counted
through its rarest token. WALK_MIN is lowered here so that a handful of cases makes a word common.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.core import selectors as core_selectors
from kefu.core.search import text_implies_tokens
from kefu.tickets.models import Case
from kefu.tickets.selectors import case_queue, case_queue_counted
from tests.customers.factories import bearer
from tests.tickets.conftest import sh

NOW = sh(2025, 10, 14, 10, 0)
WORD = "屏幕碎裂"


@pytest.fixture(autouse=True)
def _frozen(office_hours):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cases(staff, receive, walk):
    """Five cases holding the word (one closed), two holding its every bigram but not the word, one without."""
    made = {}
    for i, title in enumerate(["屏幕碎裂一", "屏幕碎裂二", "屏幕碎裂三", "屏幕碎裂四"]):
        made[title] = receive(
            title=title, description="显示器外箱完好。", received_at=NOW - dt.timedelta(hours=3 * i + 1)
        )
    made["已结案屏幕碎裂"] = walk(receive(title="已结案屏幕碎裂", description="显示器。"), "closed")
    made["屏幕完好"] = receive(title="屏幕完好", description="外箱碎裂，屏幕幕碎字样")  # 屏幕, 幕碎, 碎裂: not the word
    made["碎裂屏幕"] = receive(title="碎裂屏幕", description="屏幕幕碎")
    made["无关"] = receive(title="运输延误", description="司机迟到")
    return made


def _expected(queue: str) -> list[str]:
    """The word's cases in the queue's order, computed here from the stored rows."""
    rows = [c for c in Case.objects.all() if WORD in c.search_text and (queue == "all" or c.closed_at is None)]
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    rows.sort(key=lambda c: -c.received_at.timestamp())
    rows.sort(key=lambda c: (c.next_due_at is None, c.next_due_at or far))
    return [c.title for c in rows]


@pytest.mark.parametrize("walk_min", [2, 1000], ids=["common", "rare"])
@pytest.mark.parametrize("queue", ["open", "all"])
def test_a_common_and_a_rare_word_list_and_count_exactly_the_cases_holding_it(
    walk_min, queue, monkeypatch, staff, cases
):
    monkeypatch.setattr(core_selectors, "WALK_MIN", walk_min)
    expected = _expected(queue)
    assert len(expected) == (5 if queue == "all" else 4)
    for who in ("supervisor", "agent"):
        listed, counted = case_queue_counted(user=staff[who], queue=queue, q=WORD)
        assert [c.title for c in listed] == expected
        assert counted.count() == len(expected)
        assert sorted(counted.values_list("pk", flat=True)) == sorted(cases[t].pk for t in expected)


def test_a_common_chinese_word_is_listed_by_its_text_and_counted_by_its_tokens(monkeypatch, staff, cases):
    """The list walks the deadline order with the text test alone; the count joins the tokens."""
    monkeypatch.setattr(core_selectors, "WALK_MIN", 2)
    listed, counted = case_queue_counted(user=staff["supervisor"], queue="open", q=WORD)
    assert "core_searchtoken" not in str(listed.query)
    assert "core_searchtoken" in str(counted.query)
    monkeypatch.setattr(core_selectors, "WALK_MIN", 1000)
    listed, _ = case_queue_counted(user=staff["supervisor"], queue="open", q=WORD)
    assert "core_searchtoken" in str(listed.query)  # rare: the token join finds the few holders


def test_two_character_words_and_mixed_words_keep_their_tokens(monkeypatch, staff, receive):
    """A whole-token word is found through its token on every path; a word mixing Chinese and Latin
    keeps its tokens in the list too (a Latin word is indexed by its prefixes, not its infixes)."""
    monkeypatch.setattr(core_selectors, "WALK_MIN", 1)
    receive(title="sf顺丰快件破损", description="外箱")
    receive(title="asf顺丰快件", description="外箱")  # contains "sf顺丰", but "sf" only inside the word "asf"
    assert [c.title for c in case_queue(user=staff["supervisor"], queue="all", q="破损")] == ["sf顺丰快件破损"]
    listed, counted = case_queue_counted(user=staff["supervisor"], queue="all", q="sf顺丰")
    assert [c.title for c in listed] == ["sf顺丰快件破损"]
    assert counted.count() == 1
    assert "core_searchtoken" in str(listed.query)


@pytest.mark.parametrize(
    ("term", "implies"), [("屏幕碎裂", True), ("破损", True), ("sf顺丰", False), ("feng", False), ("屏", False)]
)
def test_only_a_run_of_chinese_characters_implies_its_tokens(term, implies):
    assert text_implies_tokens(term) is implies


def test_the_search_page_reads_as_many_queries_for_a_rare_word_as_for_a_common_one(monkeypatch, client_for, receive):
    """40 cases hold the word: with WALK_MIN 1000 it is rare, with 10 common; the page shows 25 of
    40 and reads the same number of queries either way."""
    for _ in range(40):
        receive(title="屏幕碎裂投诉", actor="cs_manager")
    client = client_for("supervisor")
    url = f"/cases/?queue=all&q={quote(WORD)}"
    counts = {}
    for cap in (1000, 10):
        monkeypatch.setattr(core_selectors, "WALK_MIN", cap)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.content.count(b'name="case"') == 25
        assert response.context["page"].paginator.count == 40
        counts[cap] = len(captured.captured_queries)
    assert counts[10] == counts[1000]


@pytest.mark.parametrize("walk_min", [2, 1000], ids=["common", "rare"])
def test_the_api_lists_and_counts_a_searched_queue_exactly(walk_min, monkeypatch, client, staff, cases):
    monkeypatch.setattr(core_selectors, "WALK_MIN", walk_min)
    expected = _expected("open")
    body = client.get(f"/api/v1/cases?queue=open&q={quote(WORD)}", **bearer(staff["supervisor"])).json()
    assert body["count"] == len(expected) == 4
    assert [item["id"] for item in body["items"]] == [cases[t].pk for t in expected]
