"""Reads of the shared kernel: audit verification and timelines, calendars, search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from kefu.core.audit import GENESIS_HASH, event_hash, seal_hash
from kefu.core.calendar import CalendarSpec, parse_weekly_hours, statutory_year_known
from kefu.core.models import AuditEvent, AuditSeal, CalendarDay, SearchToken, WorkCalendar
from kefu.core.search import normalize, query_tokens, text_implies_tokens


@dataclass(frozen=True)
class AuditProblem:
    seal_id: int | None
    event_id: int | None
    message: str


def audit_verify() -> list[AuditProblem]:
    """Recompute every seal and row hash; an empty list means the trail is intact."""
    problems: list[AuditProblem] = []
    expected_previous = GENESIS_HASH
    for seal in AuditSeal.objects.order_by("id").iterator():
        events = list(AuditEvent.objects.filter(seal=seal).order_by("id"))
        if seal.previous_hash != expected_previous:
            problems.append(AuditProblem(seal.pk, None, "seal does not chain to the previous seal"))
        if len(events) != seal.event_count:
            problems.append(AuditProblem(seal.pk, None, f"seal covers {seal.event_count} events, {len(events)} found"))
        row_hashes = []
        for event in events:
            recomputed = event_hash(event)
            if recomputed != event.row_hash:
                problems.append(AuditProblem(seal.pk, event.pk, "event was changed after it was sealed"))
            row_hashes.append(event.row_hash)
        if seal_hash(seal.previous_hash, row_hashes) != seal.seal_hash:
            problems.append(AuditProblem(seal.pk, None, "seal hash does not match its events"))
        expected_previous = seal.seal_hash
    return problems


def audit_unsealed_count() -> int:
    return AuditEvent.objects.filter(seal__isnull=True).count()


def audit_for_subjects(subjects: list[tuple[str, str]], *, limit: int = 200) -> QuerySet[AuditEvent]:
    """Timeline of events about any of the given (subject_type, subject_id) pairs, newest first."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for subject_type, subject_id in subjects:
        condition |= Q(subject_type=subject_type, subject_id=subject_id)
    return AuditEvent.objects.filter(condition).select_related("actor").order_by("-occurred_at", "-id")[:limit]


def subject_key(obj: Model) -> tuple[str, str]:
    return (obj._meta.label_lower, str(obj.pk))


def calendar_default() -> WorkCalendar:
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        from kefu.core.calendar import DEFAULT_WEEKLY_HOURS

        calendar = WorkCalendar(name="default", is_default=True, weekly_hours=DEFAULT_WEEKLY_HOURS)
    return calendar


def calendar_spec(calendar: WorkCalendar | None = None) -> CalendarSpec:
    """The immutable spec of `calendar` (the default one when omitted), with its exceptions."""
    calendar = calendar or calendar_default()
    days = list(CalendarDay.objects.filter(calendar_id=calendar.pk)) if calendar.pk else []
    return CalendarSpec(
        weekly=parse_weekly_hours(calendar.weekly_hours),
        time_zone=calendar.time_zone,
        follow_statutory=calendar.follow_statutory_holidays,
        closed_days=frozenset(d.date for d in days if d.kind == CalendarDay.Kind.CLOSED),
        extra_working_days=frozenset(d.date for d in days if d.kind == CalendarDay.Kind.WORKING),
    )


def calendar_missing_years(today: dt.date | None = None) -> list[int]:
    """Years the official holiday arrangement is missing for: this year, and next year from November."""
    today = today or timezone.localdate()
    years = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    return [y for y in years if not statutory_year_known(y)]


COUNT_CAP = 1_000


def capped_count(queryset: QuerySet[Any], cap: int = COUNT_CAP) -> int:
    """The number of rows, counted up to cap + 1 (a value above `cap` means "more than cap")."""
    return queryset.order_by()[: cap + 1].count()


def search_normalize(query: str) -> str:
    return normalize(query)


PROBE_CAP = 1000


# A word held by at least this many records is listed by walking the list's order with the text
# test: its first page is found within about 25 × records / WALK_MIN rows (5,000 at a million
# records), where the token join reads and sorts every holder (WALK_MIN of them or more).
WALK_MIN = 5000


def _token_counts(kind: str, term: str, cap: int) -> dict[str, int]:
    """How many records of `kind` hold each token of `term`, each counted up to `cap`."""
    return {t: SearchToken.objects.filter(kind=kind, token=t)[:cap].count() for t in sorted(query_tokens(term))}


def _holding(kind: str, token: str) -> Any:
    """object_ids of the records of `kind` holding `token`, as a subquery."""
    return SearchToken.objects.filter(kind=kind, token=token).values("object_id")


def _rarest_token_ids(kind: str, term: str) -> Any:
    """object_ids of records of `kind` holding the rarest token of `term` (None without a token).

    Callers confirm the whole term on the text. One token rather than their intersection keeps the
    database's row estimate true: the bigrams of a word (服务, 务器, 器机, 机柜) occur together, and
    estimating their intersection as independent made PostgreSQL materialize every match (seconds
    at a million records) instead of walking the list's index."""
    counts = _token_counts(kind, term, PROBE_CAP)
    if not counts:
        return None
    rarest = min(counts, key=counts.__getitem__)
    return _holding(kind, rarest)


@dataclass(frozen=True)
class KeywordSearch:
    """Two equivalent conditions for the same records: one to list them in a list's order, one to count them.

    For a common word (every token held by at least WALK_MIN records) whose text test implies its
    tokens (a run of Chinese characters: containing 对账单 means holding 对账 and 账单), `listing`
    is the text test alone: the list walks its ordered index and its first page fills after a few
    thousand rows, where joining the tokens made the database fetch and sort all 20,000 holders
    (it estimates token and text as independent and so expects a few hundred matches). `counting`
    joins the tokens on the bare rows (index-only with the list's own filters) and reads the text
    of the holders only, through a key look-up: a capped count stops after cap + 1 matches instead
    of reading the text of every row the list's filters keep. For a rare word both are the
    token join with the text test, as before."""

    listing: Q
    counting: Q


def keyword_search(kind: str, query: str, *, model: type[Model], via: str = "") -> KeywordSearch:
    """Records of `kind` (with a lower-cased `search_text`) holding every word of `query`.

    `model` is the indexed model; `via` filters other records by the indexed one they point to,
    e.g. shipments by their order ("order__")."""
    text, pk = f"{via}search_text__contains", f"{via}pk__in"
    listing, counting = Q(), Q()
    for term in normalize(query).split(" "):
        if query_tokens(term) == {term}:  # the word is itself a token: holding it is containing it
            holders = Q(**{pk: _holding(kind, term)})
            listing &= holders
            counting &= holders
            continue
        counts = _token_counts(kind, term, WALK_MIN)
        if not counts:
            listing &= Q(**{text: term})
            counting &= Q(**{text: term})
            continue
        rarest = min(counts, key=counts.__getitem__)
        holders = Q(**{pk: _holding(kind, rarest)})
        containing = Q(**{pk: model._default_manager.filter(search_text__contains=term).values("pk")})
        for token in sorted(counts):  # every token: the fewer holders, the fewer texts to read
            counting &= Q(**{pk: _holding(kind, token)})
        counting &= containing
        common = counts[rarest] >= WALK_MIN and text_implies_tokens(term)
        listing &= _common_text(f"{via}search_text", term) if common else Q(**{text: term}) & holders
    return KeywordSearch(listing=listing, counting=counting)


def _common_text(field: str, term: str) -> Q:
    """The text test for a common word, as a position (STRPOS, INSTR) rather than LIKE: PostgreSQL
    estimates LIKE '%word%' to match a handful of rows and then sorts every candidate instead of
    walking the list's order, where a position test gets its default estimate (a third), which is
    what makes it walk."""
    return Q(GreaterThan(StrIndex(field, Value(term)), 0))


def keyword_condition(kind: str, query: str, *, via: str = "") -> Q:
    """Records of `kind` (with a lower-cased `search_text`) holding every word of `query`.

    `via` filters other records by the indexed one they point to, e.g. shipments by their order ("order__").
    """
    text, pk = f"{via}search_text__contains", f"{via}pk__in"
    condition = Q()
    for term in normalize(query).split(" "):
        if query_tokens(term) == {term}:  # the word is itself a token: holding it is containing it
            condition &= Q(**{pk: _holding(kind, term)})
            continue
        ids = _rarest_token_ids(kind, term)
        condition &= Q(**{text: term}) if ids is None else Q(**{text: term}) & Q(**{pk: ids})
    return condition
