"""Shared helpers of the case services: permission and status checks, locking, saving with the
timeline event, priority, SLA clocks and search text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.selectors import calendar_spec
from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    StaleVersionError,
    audit_record,
)
from kefu.customers.choices import Grade
from kefu.tickets import sla
from kefu.tickets.choices import (
    CaseKind,
    ComplaintNature,
    Metric,
    Priority,
    Severity,
)
from kefu.tickets.configuration import PolicyPlan, active_policies
from kefu.tickets.models import (
    Case,
    CaseClock,
    SlaPolicy,
)

SEARCH_KIND = "case"

# Which clocks start when a case is received, by kind and nature; the others start later.
CLOCKS_AT_RECEIPT: dict[tuple[str, str], tuple[str, ...]] = {
    (CaseKind.COMPLAINT, ComplaintNature.SOFT): (
        Metric.REPORT_TO_SUPERVISOR,
        Metric.FIRST_RESPONSE,
        Metric.VERIFICATION,
        Metric.RESOLUTION,
    ),
    (CaseKind.COMPLAINT, ComplaintNature.HARD): (
        Metric.REPORT_TO_SUPERVISOR,
        Metric.FIRST_RESPONSE,
        Metric.SECOND_RESPONSE,
        Metric.RESOLUTION,
    ),
}
DEFAULT_CLOCKS_AT_RECEIPT = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)


def _require(actor: Any, perm: str, case: Case | None = None) -> None:
    if actor is not None and not actor.has_perm(perm, case):
        raise PermissionDeniedError()


def _require_status(case: Case, *allowed: str) -> None:
    if case.status not in allowed:
        raise DomainError(
            _("This step is not possible while the case is “%(status)s”.") % {"status": case.get_status_display()},
            field="status",
            code="conflict",
        )


def _locked(case: Case, version: int | None = None) -> Case:
    current = Case.objects.select_for_update(of=("self",)).select_related("customer").get(pk=case.pk)
    if version is not None and current.version != version:
        raise StaleVersionError()
    return current


def _next_due(case: Case) -> dt.datetime | None:
    running = CaseClock.objects.filter(case=case, stopped_at__isnull=True, paused_at__isnull=True)
    due_at: dt.datetime | None = running.aggregate(first=Min("due_at"))["first"]
    return due_at


def _save(case: Case, action: str, actor: Any, changes: dict[str, Any] | None = None) -> None:
    """Save a step: derived fields, version, audit event and domain event."""
    case.next_due_at = _next_due(case)
    case.version += 1
    case.updated_at = timezone.now()
    case.save()
    audit_record(actor=actor, action=f"tickets.case.{action}", subject=case, changes=changes or {})
    events.publish(f"tickets.case.{action}", case=case, actor=actor)


# --- priority -------------------------------------------------------------------------------------

_SEVERITY_SCORE: dict[str, int] = {Severity.MAJOR: 2, Severity.SERIOUS: 1, Severity.NORMAL: 0}
_GRADE_SCORE: dict[str, int] = {Grade.A: 1, Grade.B: 0, Grade.C: 0}


def derive_priority(*, severity: str, customer_grade: str, kind: str) -> int:
    """P1 for major cases, then up one step for grade-A customers and for hard complaints."""
    score = _SEVERITY_SCORE.get(severity, 0) * 2 + _GRADE_SCORE.get(customer_grade, 0)
    score += 1 if kind == CaseKind.COMPLAINT else 0
    if score >= 4:
        return Priority.URGENT
    if score >= 2:
        return Priority.HIGH
    if score >= 1:
        return Priority.MEDIUM
    return Priority.LOW


# --- clocks ---------------------------------------------------------------------------------------


def _grade_of(case: Case) -> str:
    return case.customer.grade if case.customer_id and case.customer else ""


def _policy_for(case: Case) -> PolicyPlan | None:
    plans = active_policies.get()
    best = sla.best_policy((p.policy for p in plans.values()), case, _grade_of(case))
    return plans[best.pk] if best is not None else None


def _spec_for(policy: SlaPolicy) -> Any:
    """The calendar of `policy` (None for round the clock), from the cache while it is active."""
    if policy.round_the_clock:
        return None
    plan = active_policies.get().get(policy.pk)
    return plan.spec if plan is not None else calendar_spec(policy.calendar)


def _plan_clocks(case: Case, metrics: Iterable[str], at: dt.datetime) -> list[CaseClock]:
    """The clocks `metrics` would start at `at` under the case's policy (unsaved)."""
    plan = _policy_for(case)
    if plan is None:
        return []
    policy, policy_spec = plan.policy, plan.spec
    targets = sla.targets_for(plan.targets, case.severity)
    planned = []
    for metric in metrics:
        target = targets.get(metric)
        if target is None:
            continue
        spec = None if target.round_the_clock else policy_spec
        due_at = sla.due(at, target.minutes, spec).astimezone(dt.UTC)  # as it reads back from the database
        planned.append(
            CaseClock(
                case=case,
                metric=metric,
                policy=policy,
                started_at=at,
                due_at=due_at,
                next_escalation_at=due_at,
                warn_at=max(at, due_at - dt.timedelta(minutes=policy.warning_minutes)),
                paused_at=at if case.waiting_for_customer else None,
            )
        )
    return planned


def _start_clocks(case: Case, metrics: Iterable[str], at: dt.datetime) -> list[CaseClock]:
    """Start the clocks of `metrics` the case does not have yet."""
    metrics = list(metrics)
    existing = set(CaseClock.objects.filter(case=case, metric__in=metrics).values_list("metric", flat=True))
    return CaseClock.objects.bulk_create(_plan_clocks(case, [m for m in metrics if m not in existing], at))


def _stop_clocks(case: Case, metrics: Iterable[str], at: dt.datetime) -> None:
    CaseClock.objects.filter(case=case, metric__in=list(metrics), stopped_at__isnull=True).update(stopped_at=at)


def _search_text(case: Case) -> str:
    parts = [case.number, case.title, case.description, case.order_number, case.caller_name]
    if case.customer_id and case.customer:
        parts.append(case.customer.name)
    return " ".join(p for p in parts if p)
