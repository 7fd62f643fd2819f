"""Who may see and make visits, and who configures them."""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from kefu.accounts.models import Role
from kefu.accounts.rules import DIRECTOR_ROLES, has_role, is_admin, is_cs_manager, is_director, is_supervisor, role_of
from kefu.customers.models import Customer
from kefu.customers.rules import ALL, customer_scope

NOTHING = Q(pk__in=[])


def visit_scope(user: Any) -> Q:
    """The visits `user` may see, as a filter on VisitTask: their own, their team's, their customers'."""
    role = role_of(user)
    if role is None:
        return NOTHING
    scope = customer_scope(user)
    if role in DIRECTOR_ROLES or scope == ALL:
        return Q()
    condition = Q(assignee_id=user.pk) | Q(customer_id__in=Customer.objects.filter(scope).values("pk"))
    if user.team_id:
        condition |= Q(team_id=user.team_id)
    return condition


@rules.predicate
def can_work_visit(user: Any, task: Any) -> bool:
    if task is None:
        return False
    if task.assignee_id == user.pk:
        return True
    if task.assignee_id is None and task.team_id and task.team_id == user.team_id:
        return True
    return type(task).objects.filter(pk=task.pk).filter(visit_scope(user)).exists() and role_of(user) in (
        Role.SUPERVISOR,
        Role.CS_MANAGER,
        Role.ADMIN,
    )


is_staff_member = has_role(*Role.values)

rules.add_perm("visits.view_visits", is_staff_member)
rules.add_perm("visits.record_visit", can_work_visit)
rules.add_perm("visits.view_reports", is_supervisor | is_cs_manager | is_director)
rules.add_perm("visits.manage_rules", is_cs_manager | is_admin)
rules.add_perm("visits.manage_campaigns", is_supervisor | is_cs_manager | is_admin)
