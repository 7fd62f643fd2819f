"""Search tokens: CJK bigrams and Latin word prefixes, so 2-character words are findable."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.core.models import SearchToken
from kefu.core.search import query_tokens, tokens_for
from kefu.core.services import search_index_bulk, search_index_replace

KIND = "test"


def found(query: str) -> set[int] | None:
    """Records of KIND whose stored tokens hold every token of `query` (None: nothing to look up)."""
    wanted = query_tokens(query)
    if not wanted:
        return None
    held: dict[int, set[str]] = {}
    for object_id, token in SearchToken.objects.filter(kind=KIND).values_list("object_id", "token"):
        held.setdefault(object_id, set()).add(token)
    return {object_id for object_id, tokens in held.items() if wanted <= tokens}


@pytest.fixture
def indexed(db):
    search_index_replace(kind=KIND, object_id=1, text="上海顺丰物流有限公司 ShunFeng Express 13812345678")
    search_index_replace(kind=KIND, object_id=2, text="北京德邦快递服务中心 Deppon")
    search_index_replace(kind=KIND, object_id=3, text="广州物业管理公司")
    search_index_replace(kind="other", object_id=4, text="上海顺丰物流有限公司")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("物流", {1}),
        ("顺丰", {1}),
        ("公司", {1, 3}),
        ("顺丰物流", {1}),
        ("上海顺丰物流有限公司", {1}),
        ("有限公司", {1}),
        ("物流公司", set()),
        ("德邦快递", {2}),
        ("快递服", {2}),
    ],
)
def test_cjk_words_of_two_or_more_characters_are_found_inside_longer_text(indexed, query, expected):
    """2-, 3- and 4-character words match every record holding them, only of the asked kind."""
    assert found(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [("shun", {1}), ("ShunFeng", {1}), ("SF", set()), ("dep", {2}), ("express", {1}), ("1381", {1})],
)
def test_latin_and_digit_word_prefixes_are_found(indexed, query, expected):
    """A Latin or digit prefix of two or more characters finds the word, case-insensitively."""
    assert found(query) == expected


def test_every_word_of_a_query_must_match(indexed):
    """A query with several words finds records holding all of them."""
    assert found("物流 shunfeng") == {1}
    assert found("物流 deppon") == set()


@pytest.mark.parametrize("query", ["物", " 流 ", "", "   ", "物 流", "s", "物 s"])
def test_query_without_indexable_token_returns_none_for_fallback(indexed, query):
    """A single CJK character (or single letter, or nothing) returns None: callers scan substrings."""
    assert found(query) is None


def test_one_letter_query_does_not_exclude_words_starting_with_it(indexed):
    """Searching "s" must not rule out ShunFeng: the index cannot answer it, so it falls back."""
    assert found("s") is None
    assert found("物流 s") == {1}


def test_reindexing_replaces_old_tokens(indexed):
    """After a record's text changes, its old words no longer find it."""
    search_index_replace(kind=KIND, object_id=1, text="杭州圆通速递")
    assert found("顺丰") == set()
    assert found("圆通") == {1}


def test_bulk_indexing_makes_records_findable(db):
    """search_index_bulk indexes many records and returns how many tokens it wrote."""
    written = search_index_bulk(kind=KIND, texts=[(10, "中通快运"), (11, "韵达快运")])
    assert written == len(tokens_for("中通快运")) + len(tokens_for("韵达快运"))
    assert found("快运") == {10, 11}


def test_single_cjk_character_text_is_indexed_as_itself():
    """A lone CJK character in the text is still a token (names like 王 are searchable by exact token)."""
    assert "王" in tokens_for("王 先生")


def test_long_latin_words_are_cut_to_the_token_length():
    """Tokens never exceed the 24 characters the column holds; a long query still matches."""
    word = "a" * 40
    tokens = tokens_for(word)
    assert max(len(t) for t in tokens) == 24
    assert query_tokens(word) <= tokens


cjk_text = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=2, max_size=30)


@settings(max_examples=200, deadline=None)
@given(text=cjk_text, data=st.data())
def test_every_substring_of_two_or_more_characters_is_found(text, data):
    """Any substring of length >= 2 of an indexed CJK text has all its query tokens in the index."""
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 2, len(text)))
    tokens = query_tokens(text[start:end])
    assert tokens
    assert tokens <= tokens_for(text)


@settings(max_examples=200, deadline=None)
@given(word=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=40), data=st.data())
def test_every_latin_prefix_is_found(word, data):
    """Any prefix of an indexed Latin word has its query tokens in the index (none for one letter)."""
    prefix = word[: data.draw(st.integers(1, len(word)))]
    assert query_tokens(prefix) <= tokens_for(f"公司 {word}")
