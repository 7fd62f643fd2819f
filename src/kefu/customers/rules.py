"""Who may see and do what in the customer archive.

Visibility is defined once, as a query filter (`customer_scope`), and the object-level
predicates ask the database through it, so a list and a detail page never disagree.
"""

from __future__ import annotations

from typing import Any

import rules
from django.db.models import Q

from kefu.accounts.models import Role
from kefu.accounts.rules import (
    DIRECTOR_ROLES,
    has_role,
    in_cs_department,
    is_admin,
    is_cs_manager,
    is_cs_staff,
    is_director,
    is_supervisor,
    role_of,
)

ALL = Q()
NOTHING = Q(pk__in=[])


def customer_scope(user: Any) -> Q:
    """The customers `user` may see, as a filter on Customer."""
    role = role_of(user)
    if role is None:
        return NOTHING
    if role in DIRECTOR_ROLES or role == Role.CS_MANAGER:
        return ALL
    if role == Role.SUPERVISOR and in_cs_department(user):
        # Customer service verifies every change request (客户信息变更登记表), whichever
        # department's customer it concerns, so its supervisors see the whole archive.
        return ALL
    own = Q(account_manager_id=user.pk)
    if role == Role.AGENT:
        return own | (Q(team_id=user.team_id) if user.team_id else NOTHING)
    if role in (Role.SUPERVISOR, Role.DEPT_MANAGER) and user.department_id:
        return own | Q(team__department_id=user.department_id) | Q(account_manager__department_id=user.department_id)
    return own


@rules.predicate
def can_see_customer(user: Any, customer: Any) -> bool:
    if customer is None:
        return False
    scope = customer_scope(user)
    if scope == ALL:
        return True
    return type(customer).objects.filter(pk=customer.pk).filter(scope).exists()


@rules.predicate
def is_account_manager(user: Any, customer: Any) -> bool:
    return customer is not None and customer.account_manager_id == user.pk


rules.add_perm("customers.view_customer", can_see_customer)
rules.add_perm("customers.list_customers", rules.is_authenticated & has_role(*Role.values))
rules.add_perm("customers.add_customer", is_cs_staff | is_admin)
rules.add_perm("customers.change_customer", (is_cs_staff | is_admin) & can_see_customer)
rules.add_perm("customers.deactivate_customer", is_cs_manager | is_admin)
# The administrator is a superuser, so Django grants it every permission anyway: say so here
# rather than pretend `~is_admin` holds (it never did through user.has_perm).
rules.add_perm("customers.request_change", can_see_customer & (~is_cs_staff | is_admin))
rules.add_perm("customers.review_change", is_supervisor | is_cs_manager | is_admin)
rules.add_perm(
    "customers.view_sensitive",
    is_supervisor | is_cs_manager | is_admin | (can_see_customer & is_account_manager),
)
rules.add_perm("customers.override_grade", is_cs_manager | is_admin)
rules.add_perm("customers.manage_grade_rules", is_cs_manager | is_admin)
rules.add_perm("customers.export_customers", is_supervisor | is_cs_manager | is_director)
rules.add_perm("customers.import_customers", is_supervisor | is_cs_manager | is_admin)
rules.add_perm("customers.view_access_log", is_cs_manager | is_director)
