"""Reads about visits: scoped queues, the task page, the coverage report (回访报告) and the weekly summary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kefu.core.models import AuditEvent
from kefu.core.selectors import audit_for_subjects, keyword_condition, subject_key
from kefu.customers.choices import Grade
from kefu.customers.models import Customer
from kefu.customers.services import SEARCH_KIND as CUSTOMER_SEARCH_KIND
from kefu.visits.choices import Outcome, TaskStatus
from kefu.visits.models import CareCampaign, VisitRule, VisitScript, VisitTask
from kefu.visits.rules import visit_scope

QUEUES = ("today", "overdue", "mine", "team", "open", "done", "all")
FILTERS = ("method", "status", "outcome", "grade", "rule_id", "team_id", "assignee_id")


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def visits_visible(user: Any) -> QuerySet[VisitTask]:
    return VisitTask.objects.filter(visit_scope(user))


def visit_queue(*, user: Any, queue: str = "today", q: str = "", **filters: Any) -> QuerySet[VisitTask]:
    """A list of visits: due today, overdue, mine, my team's queue, still open, done, all."""
    tasks = visits_visible(user)
    now = timezone.now()
    start, end = _day_bounds(timezone.localdate())
    if queue == "today":
        tasks = tasks.filter(status=TaskStatus.OPEN, due_at__gte=start, due_at__lt=end)
    elif queue == "overdue":
        tasks = tasks.filter(status=TaskStatus.OPEN, due_at__lt=now)
    elif queue == "mine":
        tasks = tasks.filter(status=TaskStatus.OPEN, assignee=user, due_at__lt=end)
    elif queue == "team":
        tasks = tasks.filter(status=TaskStatus.OPEN, team_id=user.team_id, due_at__lt=end)
    elif queue == "open":
        tasks = tasks.filter(status=TaskStatus.OPEN)
    elif queue == "done":
        tasks = tasks.exclude(status=TaskStatus.OPEN)
    for name in FILTERS:
        if filters.get(name) not in (None, ""):
            tasks = tasks.filter(**{name: filters[name]})
    if q:
        tasks = tasks.filter(
            customer_id__in=Customer.objects.filter(keyword_condition(CUSTOMER_SEARCH_KIND, q)).values("pk")
        )
    order = ("-completed_at", "-id") if queue == "done" else ("due_at", "id")
    return tasks.select_related("customer", "contact", "rule", "assignee", "team__department").order_by(*order)


def visit_get(*, user: Any, pk: int) -> VisitTask | None:
    return (
        visits_visible(user)
        .select_related(
            "customer", "contact", "rule", "rule__script", "assignee", "team__department", "case", "completed_by"
        )
        .filter(pk=pk)
        .first()
    )


def visit_timeline(task: VisitTask) -> list[AuditEvent]:
    return list(audit_for_subjects([subject_key(task)]))


def visits_of_customer(customer: Customer, *, exclude: int | None = None, limit: int = 10) -> QuerySet[VisitTask]:
    return (
        VisitTask.objects.filter(customer=customer)
        .exclude(pk=exclude)
        .select_related("rule")
        .order_by("-due_at")[:limit]
    )


def rules_all() -> QuerySet[VisitRule]:
    return VisitRule.objects.select_related("script", "team", "follows").order_by("position", "id")


def scripts_all() -> QuerySet[VisitScript]:
    return VisitScript.objects.order_by("name", "id")


def campaigns_all() -> QuerySet[CareCampaign]:
    return CareCampaign.objects.select_related("created_by").order_by("-send_at", "-id")


# --- coverage -------------------------------------------------------------------------------------


@dataclass
class GradeCoverage:
    grade: str
    planned: int = 0
    done: int = 0
    open: int = 0
    unreachable: int = 0

    @property
    def done_pct(self) -> float | None:
        return round(100 * self.done / self.planned, 1) if self.planned else None


@dataclass
class Coverage:
    """回访报告 of a period: planned vs done per grade, key-customer coverage, reach rate, satisfaction mix."""

    start: dt.date
    end: dt.date
    grades: list[GradeCoverage]
    key_customers: int
    key_customers_visited: int
    attempted: int
    reached: int
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def planned(self) -> int:
        return sum(g.planned for g in self.grades)

    @property
    def done(self) -> int:
        return sum(g.done for g in self.grades)

    @property
    def key_coverage_pct(self) -> float | None:
        return round(100 * self.key_customers_visited / self.key_customers, 1) if self.key_customers else None

    @property
    def reach_rate_pct(self) -> float | None:
        return round(100 * self.reached / self.attempted, 1) if self.attempted else None

    def outcome_pct(self, outcome: str) -> float | None:
        reached = sum(n for o, n in self.outcomes.items() if o != Outcome.NOT_REACHED)
        return round(100 * self.outcomes.get(outcome, 0) / reached, 1) if reached else None


def visit_coverage(*, start: dt.date, end: dt.date, user: Any = None, team_id: int | None = None) -> Coverage:
    """Visits due in [start, end] (dates inclusive). A selector the standards/KPI work reads too."""
    tasks = VisitTask.objects.exclude(status=TaskStatus.CANCELLED)
    if user is not None:
        tasks = tasks.filter(visit_scope(user))
    if team_id:
        tasks = tasks.filter(team_id=team_id)
    period_start, _ = _day_bounds(start)
    _, period_end = _day_bounds(end)
    in_period = tasks.filter(due_at__gte=period_start, due_at__lt=period_end)
    by_grade = {
        row["grade"]: row
        for row in in_period.values("grade").annotate(
            planned=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            open=Count("id", filter=Q(status=TaskStatus.OPEN)),
            unreachable=Count("id", filter=Q(status=TaskStatus.UNREACHABLE)),
        )
    }
    grades = []
    for grade in [*Grade.values, ""]:
        row = by_grade.get(grade)
        if row is None and grade == "":
            continue
        row = row or {}
        grades.append(
            GradeCoverage(
                grade, row.get("planned", 0), row.get("done", 0), row.get("open", 0), row.get("unreachable", 0)
            )
        )
    attempts = in_period.aggregate(
        attempted=Count("id", filter=Q(attempts__gt=0)),
        reached=Count("id", filter=Q(status=TaskStatus.DONE)),
    )
    outcomes = dict(
        in_period.exclude(outcome="").values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n")
    )
    key = Customer.objects.filter(is_active=True, is_key=True)
    visited = key.filter(
        visit_tasks__status=TaskStatus.DONE,
        visit_tasks__completed_at__gte=period_start,
        visit_tasks__completed_at__lt=period_end,
    ).distinct()
    return Coverage(
        start=start,
        end=end,
        grades=grades,
        key_customers=key.count(),
        key_customers_visited=visited.count(),
        attempted=attempts["attempted"],
        reached=attempts["reached"],
        outcomes=outcomes,
    )


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday-to-Sunday week before the week holding `day` (the Monday summary covers last week)."""
    this_monday = day - dt.timedelta(days=day.weekday())
    return this_monday - dt.timedelta(days=7), this_monday - dt.timedelta(days=1)


def weekly_summary(*, day: dt.date | None = None) -> dict[str, Any]:
    """The Monday summary of 顾客满意度调查表 for head office: last week's visits, outcomes and the unhappy ones."""
    start, end = week_of(day or timezone.localdate())
    period_start, _ = _day_bounds(start)
    _, period_end = _day_bounds(end)
    done = VisitTask.objects.filter(completed_at__gte=period_start, completed_at__lt=period_end)
    unhappy = (
        done.filter(outcome__in=[Outcome.NEUTRAL, Outcome.DISSATISFIED])
        .select_related("customer", "rule", "case", "completed_by")
        .order_by("completed_at")
    )
    return {
        "start": start,
        "end": end,
        "coverage": visit_coverage(start=start, end=end),
        "unhappy": list(unhappy[:200]),
    }
