"""Role predicates shared by every domain's object-level rules."""

from __future__ import annotations

from typing import Any

import rules

from kefu.accounts.models import Role

DIRECTOR_ROLES = frozenset({Role.MARKETING_DIRECTOR, Role.GENERAL_MANAGER, Role.ADMIN})
CS_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.CS_MANAGER})


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def has_role(*roles: str) -> rules.Predicate:
    wanted = frozenset(roles)

    @rules.predicate(name=f"has_role({','.join(sorted(wanted))})")
    def predicate(user: Any) -> bool:
        return role_of(user) in wanted

    return predicate


is_agent = has_role(Role.AGENT)
is_supervisor = has_role(Role.SUPERVISOR)
is_cs_manager = has_role(Role.CS_MANAGER)
is_dept_manager = has_role(Role.DEPT_MANAGER)
is_director = has_role(*DIRECTOR_ROLES)
is_admin = has_role(Role.ADMIN)


@rules.predicate
def in_cs_department(user: Any) -> bool:
    department = getattr(user, "department", None)
    return bool(department is not None and department.is_customer_service)


# Customer-service staff: a CS role inside the customer-service department. An "agent"
# of another department is staff outside customer service and files change requests.
is_cs_staff = has_role(*CS_ROLES) & in_cs_department

rules.add_perm("accounts.manage_users", is_admin)
rules.add_perm("accounts.manage_departments", is_admin | has_role(Role.GENERAL_MANAGER))
rules.add_perm("accounts.view_directory", rules.is_authenticated)
rules.add_perm("core.change_workcalendar", is_admin | is_cs_manager)
rules.add_perm("core.view_auditevent", is_admin | is_director | is_cs_manager)
