"""The case configuration every intake reads (SLA policies with their targets and calendars, the
category tree), kept per process by `kefu.core.configcache`: receiving a case reads no
configuration row once a process is warm."""

from __future__ import annotations

from dataclasses import dataclass

from kefu.core.calendar import CalendarSpec
from kefu.core.configcache import config_cache
from kefu.core.models import CalendarDay, WorkCalendar
from kefu.core.selectors import calendar_spec
from kefu.tickets.models import Category, SlaPolicy, SlaTarget


@dataclass(frozen=True)
class PolicyPlan:
    """An active SLA policy, its time limits and the business calendar its clocks run on."""

    policy: SlaPolicy
    targets: tuple[SlaTarget, ...]
    spec: CalendarSpec | None  # None: the clocks run round the clock


@config_cache([SlaPolicy, SlaTarget, WorkCalendar, CalendarDay])
def active_policies() -> dict[int, PolicyPlan]:
    """The active policies by id."""
    specs: dict[int | None, CalendarSpec] = {}
    plans = {}
    for policy in SlaPolicy.objects.filter(is_active=True).select_related("calendar").prefetch_related("targets"):
        spec = None
        if not policy.round_the_clock:
            if policy.calendar_id not in specs:
                specs[policy.calendar_id] = calendar_spec(policy.calendar)
            spec = specs[policy.calendar_id]
        plans[policy.pk] = PolicyPlan(policy, tuple(policy.targets.all()), spec)
    return plans


@config_cache([Category])
def active_categories() -> dict[int, Category]:
    """The categories a new case may be filed under, by id."""
    return {c.pk: c for c in Category.objects.filter(is_active=True)}
