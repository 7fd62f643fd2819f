"""The periodic sweep over running clocks: warnings, breaches, escalation."""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from kefu.core import events
from kefu.core.services import audit_record_many
from kefu.tickets.choices import EscalationLevel
from kefu.tickets.models import Case, CaseClock

# --- the sweep ------------------------------------------------------------------------------------


def clocks_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Warn before a breach, mark breaches, and escalate one level per interval after a breach.

    A case's level is the level people gave it (`escalation_base`: receipt, objection,
    appeal) plus the escalations of its most overdue clock, so several late clocks do not
    escalate a case faster than one. The work is set-based (a few statements whatever the
    number of changes) in one transaction that locks the clocks it changes and skips those
    another sweep holds, so two sweeps at once (or one run twice) warn once and escalate a
    case once per level.
    """
    now = now or timezone.now()
    running = CaseClock.objects.filter(stopped_at__isnull=True, paused_at__isnull=True)
    with transaction.atomic():
        warned = _warn(_claimed(running.filter(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now)), now)
        overdue = list(_claimed(running.filter(next_escalation_at__lte=now)).select_related("policy"))
        breached = _mark_breaches(overdue, now)
        escalated = _escalate(_most_overdue_per_case(overdue))
    return {"warned": warned, "breached": breached, "escalated": escalated}


def _claimed(clocks: QuerySet[CaseClock]) -> QuerySet[CaseClock]:
    # SKIP LOCKED: a clock another sweep is changing right now is that sweep's to finish. (SQLite has no
    # row locks; it runs write transactions one at a time, which gives the same guarantee.)
    return clocks.select_for_update(skip_locked=True, of=("self",)).order_by("pk")


def _warn(clocks: QuerySet[CaseClock], now: dt.datetime) -> int:
    due = list(clocks.select_related("case__assignee"))
    CaseClock.objects.filter(pk__in=[clock.pk for clock in due]).update(warned_at=now)
    for clock in due:
        clock.warned_at = now
    events.publish_many("tickets.clock.warning", [{"clock": clock, "case": clock.case} for clock in due])
    return len(due)


def _mark_breaches(clocks: list[CaseClock], now: dt.datetime) -> int:
    """Stamp first breaches and bring every overdue clock's escalation count to one per interval since due."""
    first_breaches = [clock for clock in clocks if clock.breached_at is None]
    # Clocks sharing their new count and interval get one UPDATE (next escalation = due + count x interval):
    # a handful of statements, where a per-row CASE over thousands of rows costs seconds to build.
    groups: dict[tuple[int, dt.timedelta], list[int]] = defaultdict(list)
    for clock in clocks:
        interval = dt.timedelta(minutes=max(clock.policy.escalation_interval_minutes, 1))
        wanted = 1 + int((now - clock.due_at) / interval)
        clock.escalations = max(clock.escalations, wanted)
        clock.next_escalation_at = clock.due_at + wanted * interval
        clock.breached_at = clock.breached_at or now
        groups[(clock.escalations, wanted * interval)].append(clock.pk)
    for (escalations, delay), ids in groups.items():
        CaseClock.objects.filter(pk__in=ids).update(
            escalations=escalations,
            next_escalation_at=F("due_at") + delay,
            breached_at=Coalesce("breached_at", Value(now)),
        )
    cases = Case.objects.only("number", "title").in_bulk([clock.case_id for clock in first_breaches])
    return audit_record_many(
        actor=None,
        action="tickets.case.breached",
        entries=[
            (cases[clock.case_id], {"clock": clock.metric, "due_at": clock.due_at.isoformat()})
            for clock in first_breaches
        ],
    )


def _most_overdue_per_case(clocks: list[CaseClock]) -> dict[int, CaseClock]:
    most: dict[int, CaseClock] = {}
    for clock in clocks:
        if clock.case_id not in most or clock.escalations > most[clock.case_id].escalations:
            most[clock.case_id] = clock
    return most


def _escalate(clocks: dict[int, CaseClock]) -> int:
    """Raise each case one level at a time up to its target, with an audit event and an event per level."""
    if not clocks:
        return 0
    locked = Case.objects.select_for_update(of=("self",)).select_related("customer")  # webhooks name the customer
    cases = list(locked.filter(pk__in=list(clocks)).order_by("pk"))
    raised: dict[tuple[int, int], list[int]] = defaultdict(list)  # (new level, levels climbed) -> case ids
    steps: list[tuple[Case, CaseClock]] = []
    for case in cases:
        clock = clocks[case.pk]
        target = min(case.escalation_base + clock.escalations, EscalationLevel.GENERAL_MANAGER)
        if case.escalation_level >= target:
            continue
        raised[(target, target - case.escalation_level)].append(case.pk)
        while case.escalation_level < target:
            case.escalation_level += 1
            case.version += 1
            steps.append((copy.copy(case), clock))  # each level is its own change, told separately
    for (level, climbed), ids in raised.items():
        Case.objects.filter(pk__in=ids).update(escalation_level=level, version=F("version") + climbed)
    audit_record_many(
        actor=None,
        action="tickets.case.escalated",
        entries=[(case, {"clock": clock.metric, "level": case.escalation_level}) for case, clock in steps],
    )
    payloads: list[dict[str, Any]] = [{"case": case, "clock": clock} for case, clock in steps]
    events.publish_many("tickets.case.escalated", payloads)
    return len(steps)
