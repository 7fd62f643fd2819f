"""Who may do what with orders, shipments and claims.

Operations records are seen by whoever may see their customer (`customer_scope`), so a
customer's orders and its archive never disagree.
"""

from __future__ import annotations

from typing import Any

import rules

from kefu.accounts.models import Role
from kefu.accounts.rules import (
    has_role,
    is_admin,
    is_cs_manager,
    is_cs_staff,
    is_dept_manager,
    is_director,
    is_supervisor,
)
from kefu.customers.rules import can_see_customer


@rules.predicate
def can_see_record_customer(user: Any, record: Any) -> bool:
    """The record (order, shipment) is of a customer `user` may see; no record means "in general"."""
    if record is None:
        return True
    customer = record if record.__class__.__name__ == "Customer" else getattr(record, "customer", None)
    return bool(can_see_customer(user, customer))


staff = has_role(*Role.values)
cs_or_admin = is_cs_staff | is_admin

rules.add_perm("operations.view", staff)
rules.add_perm("operations.add_order", cs_or_admin & can_see_record_customer)
rules.add_perm("operations.dispatch", cs_or_admin & can_see_record_customer)
rules.add_perm("operations.track", cs_or_admin & can_see_record_customer)
rules.add_perm("operations.report_exception", staff & can_see_record_customer)
rules.add_perm(
    "operations.handle_claims", (is_supervisor | is_cs_manager | is_director | is_admin) & can_see_record_customer
)
rules.add_perm("operations.pay_claims", is_cs_manager | is_director | is_admin)
rules.add_perm("operations.release_credit_hold", is_cs_manager | is_director | is_admin)
rules.add_perm("operations.manage_credit", is_cs_manager | is_director | is_admin)
rules.add_perm("operations.manage_fleet", is_supervisor | is_cs_manager | is_admin)
rules.add_perm("operations.manage_stock", is_supervisor | is_cs_manager | is_admin)
rules.add_perm("operations.manage_standards", is_cs_manager | is_director | is_admin)
rules.add_perm("operations.import", is_supervisor | is_cs_manager | is_admin)
rules.add_perm("operations.export", is_supervisor | is_cs_manager | is_director | is_admin)
rules.add_perm("operations.approve_cancellation", has_role(Role.GENERAL_MANAGER) | is_admin)
rules.add_perm("operations.approve_return", is_dept_manager | is_cs_manager | has_role(Role.GENERAL_MANAGER) | is_admin)
rules.add_perm("operations.reconcile", (is_cs_staff | is_cs_manager | is_director | is_admin) & can_see_record_customer)
