"""Who may see and act on cases.

Visibility is one query filter (`case_scope`), as for customers. Acting on a case needs
the role for the step and, for the responsible department's steps, membership of it.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from kefu.accounts.models import Role
from kefu.accounts.rules import DIRECTOR_ROLES, in_cs_department, is_admin, is_cs_manager, is_cs_staff, role_of
from kefu.tickets.choices import EscalationLevel

ALL = Q()
NOTHING = Q(pk__in=[])

LEVEL_OF_ROLE = {
    Role.AGENT: EscalationLevel.AGENT,
    Role.SUPERVISOR: EscalationLevel.SUPERVISOR,
    Role.CS_MANAGER: EscalationLevel.MANAGER,
    Role.MARKETING_DIRECTOR: EscalationLevel.MANAGER,
    Role.GENERAL_MANAGER: EscalationLevel.GENERAL_MANAGER,
    Role.ADMIN: EscalationLevel.GENERAL_MANAGER,
}


def management_level(user: Any) -> int:
    """How high in the chain 客服专员 → 客服主管 → 经理/总监 → 总经理 the user stands; -1 outside it."""
    role = role_of(user)
    if role is None or role == Role.DEPT_MANAGER:
        return -1
    if role in (Role.AGENT, Role.SUPERVISOR) and not in_cs_department(user):
        return -1
    return int(LEVEL_OF_ROLE.get(role, -1))


def case_scope(user: Any) -> Q:
    """The cases `user` may see, as a filter on Case."""
    role = role_of(user)
    if role is None:
        return NOTHING
    if role in DIRECTOR_ROLES or role == Role.CS_MANAGER:
        return ALL
    if in_cs_department(user) and role == Role.SUPERVISOR:
        return ALL
    own = Q(assignee_id=user.pk) | Q(received_by_id=user.pk)
    if in_cs_department(user):
        # `team` is the customer's team, copied on the case: no join to the customers.
        return own | (Q(team_id=user.team_id) if user.team_id else NOTHING) | Q(customer__isnull=True)
    if user.department_id:
        return own | Q(department_id=user.department_id)
    return own


@rules.predicate
def can_see_case(user: Any, case: Any) -> bool:
    if case is None:
        return False
    scope = case_scope(user)
    if scope == ALL:
        return True
    # Asked once per case object and user: the case page checks every step it offers against the
    # same object (a step re-reads the case it changes, so a new object asks again).
    seen = case.__dict__.setdefault("_visible_to", {})
    if user.pk not in seen:
        seen[user.pk] = type(case).objects.filter(pk=case.pk).filter(scope).exists()
    return bool(seen[user.pk])


@rules.predicate
def in_responsible_department(user: Any, case: Any) -> bool:
    return case is not None and (
        case.assignee_id == user.pk or (case.department_id is not None and case.department_id == user.department_id)
    )


@rules.predicate
def is_supervisor_or_above(user: Any) -> bool:
    return management_level(user) >= EscalationLevel.SUPERVISOR


rules.add_perm("tickets.add_case", is_cs_staff | is_admin)
rules.add_perm("tickets.view_case", can_see_case)
rules.add_perm("tickets.judge_case", (is_cs_staff | is_admin) & can_see_case)
rules.add_perm("tickets.accept_case", (in_responsible_department | is_admin) & can_see_case)
rules.add_perm(
    "tickets.work_case", (in_responsible_department | is_cs_staff | is_admin) & can_see_case
)  # investigate, propose, implement
rules.add_perm("tickets.approve_solution", is_supervisor_or_above & can_see_case)
rules.add_perm("tickets.record_customer", (is_cs_staff | is_admin) & can_see_case)  # confirmation, follow-up, appeal
rules.add_perm("tickets.close_case", is_supervisor_or_above & can_see_case)
rules.add_perm("tickets.manage_sla", is_cs_manager | is_admin)
