"""Counting for list pages: exact up to the cap, "more than the cap" beyond it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kefu.core import selectors, ui
from kefu.core.models import SearchToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens():
    SearchToken.objects.bulk_create(SearchToken(kind="t", token=f"w{i}", object_id=i) for i in range(12))
    return SearchToken.objects.filter(kind="t").order_by("object_id")


def test_a_count_under_the_cap_is_exact(tokens):
    assert selectors.capped_count(tokens, cap=20) == 12
    assert selectors.capped_count(tokens.filter(object_id__lt=5), cap=5) == 5


def test_a_count_over_the_cap_stops_one_past_it(tokens):
    assert selectors.capped_count(tokens, cap=5) == 6


def test_the_list_paginator_says_when_it_stopped_counting(tokens, monkeypatch):
    monkeypatch.setattr(ui, "capped_count", lambda qs: selectors.capped_count(qs, cap=10))
    monkeypatch.setattr(ui.CappedPaginator, "cap", 10)
    page = ui.paginate(RequestFactory().get("/", {"page": "2"}), tokens, per_page=5)
    assert page.paginator.count_capped
    assert [t.object_id for t in page] == [5, 6, 7, 8, 9]
    small = ui.paginate(RequestFactory().get("/"), tokens.filter(object_id__lt=3), per_page=5)
    assert (small.paginator.count, small.paginator.count_capped) == (3, False)


def test_paginating_then_joining_keeps_the_order_and_the_rows(tokens, django_assert_max_num_queries):
    request = RequestFactory().get("/", {"page": "2"})
    with django_assert_max_num_queries(3):  # count, the page's ids, the page's rows
        page = ui.paginate_then_join(request, tokens.order_by("-object_id"), per_page=5)
        rows = list(page)
    assert [t.object_id for t in rows] == [6, 5, 4, 3, 2]
    assert all(isinstance(t, SearchToken) for t in rows)
    assert page.has_next() and page.paginator.count == 12
