"""The periodic sweep over running clocks: warnings, breaches, escalation."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kefu.core import events
from kefu.core.services import (
    audit_record,
)
from kefu.tickets.choices import (
    EscalationLevel,
)
from kefu.tickets.models import (
    Case,
    CaseClock,
)

# --- the sweep ------------------------------------------------------------------------------------


def clocks_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn before a breach, mark breaches, and escalate one level per interval after a breach.

    A case's level is the level people gave it (`escalation_base`: receipt, objection,
    appeal) plus the escalations of its most overdue clock, so several late clocks do not
    escalate a case faster than one. Every change is a compare-and-swap UPDATE, so two
    sweeps running at once (or one run twice) warn once and escalate a case once per level.
    """
    now = now or timezone.now()
    counts = {"warned": 0, "breached": 0, "escalated": 0}
    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    for clock in running.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now).select_related("case"):
        if CaseClock.objects.filter(pk=clock.pk, warned_at__isnull=True).update(warned_at=now):
            counts["warned"] += 1
            events.publish("tickets.clock.warning", clock=clock, case=clock.case)
    overdue_cases: dict[int, CaseClock] = {}
    for clock in running.filter(next_escalation_at__lte=now).select_related("case", "policy"):
        interval = dt.timedelta(minutes=max(clock.policy.escalation_interval_minutes, 1))
        wanted = 1 + int((now - clock.due_at) / interval)
        if clock.breached_at is None and CaseClock.objects.filter(pk=clock.pk, breached_at__isnull=True).update(
            breached_at=now
        ):
            counts["breached"] += 1
            audit_record(
                actor=None,
                action="tickets.case.breached",
                subject=clock.case,
                changes={"clock": clock.metric, "due_at": clock.due_at.isoformat()},
            )
        CaseClock.objects.filter(pk=clock.pk, escalations__lte=wanted).update(
            escalations=wanted, next_escalation_at=clock.due_at + wanted * interval
        )
        clock.escalations = max(clock.escalations, wanted)
        latest = overdue_cases.get(clock.case_id)
        if latest is None or clock.escalations > latest.escalations:
            overdue_cases[clock.case_id] = clock
    for clock in overdue_cases.values():
        target = min(clock.case.escalation_base + clock.escalations, EscalationLevel.GENERAL_MANAGER)
        counts["escalated"] += _raise_level(clock, target)
    return counts


def _raise_level(clock: CaseClock, target: int) -> int:
    """Raise the case one level at a time up to `target`; each level is taken by exactly one sweep."""
    raised = 0
    while True:
        with transaction.atomic():
            current = Case.objects.filter(pk=clock.case_id).values_list("escalation_level", flat=True).first()
            if current is None or current >= target:
                return raised
            if not Case.objects.filter(pk=clock.case_id, escalation_level=current).update(
                escalation_level=current + 1, version=F("version") + 1
            ):
                continue
            raised += 1
            case = Case.objects.get(pk=clock.case_id)
            audit_record(
                actor=None,
                action="tickets.case.escalated",
                subject=case,
                changes={"clock": clock.metric, "level": case.escalation_level},
            )
            events.publish("tickets.case.escalated", case=case, clock=clock)
