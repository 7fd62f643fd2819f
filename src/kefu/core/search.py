"""Chinese keyword search tokens.

Text is indexed as the set of its CJK character bigrams plus its lower-cased Latin/digit
words. A query matches when the record holds every token of the query; callers then
confirm with a substring test on the stored text. Bigrams rather than jieba words are
indexed because jieba may cut a query differently from the indexed text (物流 inside
顺丰物流有限公司 is one jieba word in one and part of another in the other); bigrams find
every substring of two or more characters, which is what users expect from a search box.
"""

from __future__ import annotations

import re

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[0-9a-z]+")
MAX_TOKEN_LENGTH = 24


def normalize(text: str) -> str:
    return " ".join(text.lower().split())


def tokens_for(text: str) -> set[str]:
    """Every token under which `text` can be found."""
    text = normalize(text)
    tokens: set[str] = set()
    for run in _CJK_RUN.findall(text):
        if len(run) == 1:
            tokens.add(run)
        tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(text):
        tokens.add(word[:MAX_TOKEN_LENGTH])
        # prefixes let "shun" find "shunfeng" and "1381" find a number
        tokens.update(word[:n] for n in range(2, min(len(word), MAX_TOKEN_LENGTH)))
    return tokens


def query_tokens(query: str) -> set[str]:
    """The tokens a record must hold to match `query`; empty when the query is only one character.

    One-character words are left out: the index holds Latin prefixes from two characters on,
    so a token "s" would miss "shunfeng". Callers confirm with a substring test anyway.
    """
    query = normalize(query)
    tokens: set[str] = set()
    for run in _CJK_RUN.findall(query):
        if len(run) >= 2:
            tokens.update(run[i : i + 2] for i in range(len(run) - 1))
    for word in _WORD.findall(query):
        if len(word) >= 2:
            tokens.add(word[:MAX_TOKEN_LENGTH])
    return tokens


def text_implies_tokens(term: str) -> bool:
    """Whether a text containing `term` necessarily holds every token of it: true of a run of
    Chinese characters (its bigrams), not of Latin words (indexed by their prefixes only, so
    "feng" is inside "shunfeng" without being one of its tokens)."""
    return len(term) >= 2 and _CJK_RUN.fullmatch(term) is not None
