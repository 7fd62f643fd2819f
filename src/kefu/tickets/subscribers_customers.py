"""A customer moved to another service team: its cases follow, so the team's agents still see them.

customers sits below tickets and never imports it: its services publish the change, and these
handlers, inside the same transaction, update the team each case keeps a copy of.
"""

from __future__ import annotations

from typing import Any

from kefu.tickets import services


def on_customer_changed(*, customer: Any, changes: dict[str, Any], **_payload: Any) -> None:
    if "team" in changes:
        services.cases_follow_customer_team(customer_id=customer.pk)


def on_change_request_decided(*, request: Any, **_payload: Any) -> None:
    if "team" in (request.applied_changes or {}):
        services.cases_follow_customer_team(customer_id=request.customer_id)
