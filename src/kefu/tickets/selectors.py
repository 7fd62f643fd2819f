"""Reads about cases: scoped queues, search, the case page, previous cases of a customer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.core.selectors import audit_for_subjects, keyword_search, subject_key
from kefu.operations import selectors as operations_selectors
from kefu.operations.filters import ShipmentFilters
from kefu.tickets.choices import OPEN_STATUSES, CaseStatus
from kefu.tickets.models import Case, CaseClock
from kefu.tickets.rules import case_scope
from kefu.tickets.services import SEARCH_KIND

QUEUES = ("mine", "department", "unassigned", "breaching", "approval", "waiting", "open", "all")


def cases_visible(user: Any) -> QuerySet[Case]:
    return Case.objects.filter(case_scope(user))


def case_queue(
    *, user: Any, queue: str = "open", q: str = "", soon: dt.timedelta = dt.timedelta(hours=2), **filters: Any
) -> QuerySet[Case]:
    """A work queue, sorted by the earliest running deadline (cases without one last)."""
    return case_queue_counted(user=user, queue=queue, q=q, soon=soon, **filters)[0]


def case_queue_counted(
    *, user: Any, queue: str = "open", q: str = "", soon: dt.timedelta = dt.timedelta(hours=2), **filters: Any
) -> tuple[QuerySet[Case], QuerySet[Case]]:
    """The work queue of `case_queue`, and the same cases unordered in the form that is cheapest
    to count (a keyword search lists by walking the deadline index, but counts through its tokens:
    see `keyword_search`)."""
    cases = cases_visible(user)
    if queue == "mine":
        cases = cases.filter(assignee=user, status__in=OPEN_STATUSES)
    elif queue == "department":
        cases = cases.filter(department_id=user.department_id, status__in=OPEN_STATUSES)
    elif queue == "unassigned":
        cases = cases.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif queue == "breaching":
        cases = cases.filter(next_due_at__lte=timezone.now() + soon)
    elif queue == "approval":
        cases = cases.filter(status=CaseStatus.AWAITING_APPROVAL)
    elif queue == "waiting":
        cases = cases.filter(waiting_for_customer=True, status__in=OPEN_STATUSES)
    elif queue == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    for name in ("kind", "status", "severity", "channel", "department_id", "category_id", "customer_id"):
        if filters.get(name) not in (None, ""):
            cases = cases.filter(**{name: filters[name]})
    counted = cases
    if q:
        search = keyword_search(SEARCH_KIND, q, model=Case)
        cases, counted = cases.filter(search.listing), cases.filter(search.counting)
    listed = cases.select_related("customer", "assignee", "department", "category").order_by(
        F("next_due_at").asc(nulls_last=True), "-received_at"
    )
    return listed, counted.order_by()


def case_get(*, user: Any, pk: int) -> Case | None:
    return (
        cases_visible(user)
        .select_related("customer", "contact", "assignee", "department", "category", "received_by")
        .prefetch_related("solutions", "clocks")
        .filter(pk=pk)
        .first()
    )


def case_timeline(case: Case) -> list[AuditEvent]:
    return list(audit_for_subjects([subject_key(case)]))


def shipments_of_case(*, user: Any, case: Case, limit: int = 3) -> list[Any]:
    """The shipments the case's order or shipment number names, as far as `user` may see them."""
    if not case.order_number:
        return []
    shipments = operations_selectors.shipment_list(user=user, filters=ShipmentFilters(q=case.order_number))
    return list(shipments[:limit])


def previous_cases(case: Case, *, limit: int = 10) -> QuerySet[Case]:
    if not case.customer_id:
        return Case.objects.none()
    return Case.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk).order_by("-received_at")[:limit]


SUMMARY_DIMENSIONS = {
    "category": "category__name",
    "department": "department__name",
    "channel": "channel",
    "severity": "severity",
    "kind": "kind",
}


def case_summary(*, user: Any, start: dt.date, end: dt.date, by: str) -> list[dict[str, Any]]:
    """异常情况汇总表: cases received in [start, end] per category / department / channel / severity,
    with how many were closed or invalid, the average handling time and the share of time limits met."""
    field = SUMMARY_DIMENSIONS[by]
    tz = timezone.get_current_timezone()
    cases = cases_visible(user).filter(
        received_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        received_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )
    handling = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
    rows = list(
        cases.values(field)
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(status=CaseStatus.CLOSED)),
            invalid=Count("id", filter=Q(status=CaseStatus.INVALID)),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            avg_handling=Avg(handling, filter=Q(resolved_at__isnull=False)),
        )
        .order_by("-total")
    )
    clocks = (
        CaseClock.objects.filter(case__in=cases)
        .filter(Q(stopped_at__isnull=False) | Q(due_at__lte=timezone.now()))
        .values(f"case__{field}")
        .annotate(
            measured=Count("id"),
            met=Count("id", filter=Q(stopped_at__isnull=False, stopped_at__lte=F("due_at"))),
        )
    )
    attainment = {row[f"case__{field}"]: row for row in clocks}
    for row in rows:
        clock_row = attainment.get(row[field], {"measured": 0, "met": 0})
        row["key"] = row.pop(field)
        row["sla_met_pct"] = round(100 * clock_row["met"] / clock_row["measured"], 1) if clock_row["measured"] else None
        row["avg_handling_hours"] = (
            round(row["avg_handling"].total_seconds() / 3600, 1) if row["avg_handling"] is not None else None
        )
    return rows


def complaint_register(*, user: Any, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """客户投诉信息表: every complaint received in the period, oldest first."""
    tz = timezone.get_current_timezone()
    return (
        cases_visible(user)
        .filter(
            kind="complaint",
            received_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            received_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        )
        .select_related("customer", "category", "department", "assignee")
        .order_by("received_at")
    )


def clock_state(clock: CaseClock, now: dt.datetime) -> str:
    """met / late once stopped; paused; overdue / running while it runs."""
    if clock.stopped_at is not None:
        return "met" if clock.stopped_at <= clock.due_at else "late"
    if clock.paused_at is not None:
        return "paused"
    return "overdue" if clock.due_at <= now else "running"
