"""Which SLA policy applies to a case, and when its clocks fall due (pure: no writes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from kefu.core.calendar import CalendarSpec, add_business_time, business_time_between
from kefu.tickets.models import Case, SlaPolicy, SlaTarget

_MATCH_FIELDS = ("kind", "nature", "category_id", "severity", "customer_grade")


def policy_matches(policy: SlaPolicy, case: Case, customer_grade: str) -> bool:
    wanted = {
        "kind": case.kind,
        "nature": case.nature,
        "category_id": case.category_id,
        "severity": case.severity,
        "customer_grade": customer_grade,
    }
    for name in _MATCH_FIELDS:
        value = getattr(policy, name)
        if value not in (None, "") and value != wanted[name]:
            return False
    return True


def best_policy(policies: Iterable[SlaPolicy], case: Case, customer_grade: str) -> SlaPolicy | None:
    """The matching active policy that names the most fields; ties go to the lower id."""
    candidates = [p for p in policies if p.is_active and policy_matches(p, case, customer_grade)]
    if not candidates:
        return None
    return max(candidates, key=lambda p: (sum(getattr(p, f) not in (None, "") for f in _MATCH_FIELDS), -(p.pk or 0)))


@lru_cache(maxsize=1024)
def due(start: dt.datetime, minutes: int, spec: CalendarSpec | None) -> dt.datetime:
    """`minutes` after `start`: business time on `spec`, wall-clock time when spec is None (24x7).

    Cached: the cases of a batch, received at one moment under one policy, share their deadlines."""
    if spec is None:
        return start + dt.timedelta(minutes=minutes)
    return add_business_time(start, dt.timedelta(minutes=minutes), spec)


def remaining(paused_at: dt.datetime, due_at: dt.datetime, spec: CalendarSpec | None) -> dt.timedelta:
    """Time left on a clock when it was paused (zero or negative once past due)."""
    if spec is None:
        return due_at - paused_at
    return business_time_between(paused_at, due_at, spec)


def targets_for(targets: Iterable[SlaTarget], severity: str) -> dict[str, SlaTarget]:
    """The limit per clock for a case of `severity`: its own severity's target beats the general one."""
    chosen: dict[str, SlaTarget] = {}
    for target in targets:
        if target.severity and target.severity != severity:
            continue
        if target.metric not in chosen or target.severity:
            chosen[target.metric] = target
    return chosen
