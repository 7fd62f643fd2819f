"""A customer moved to another service team: its cases follow, so the team's agents still see them.
A customer renamed: its cases are re-indexed under the new name, after the change commits (a large
customer has thousands of cases).

customers sits below tickets and never imports it: its services publish the change, and these
handlers, inside the same transaction, update the team each case keeps a copy of.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.tickets import services
from kefu.tickets.tasks import reindex_customer_cases


def on_customer_changed(*, customer: Any, changes: dict[str, Any], **_payload: Any) -> None:
    _follow(customer.pk, changes)


def on_change_request_decided(*, request: Any, **_payload: Any) -> None:
    _follow(request.customer_id, request.applied_changes or {})


def _follow(customer_id: int, changes: dict[str, Any]) -> None:
    if "team" in changes:
        services.cases_follow_customer_team(customer_id=customer_id)
    if "name" in changes:
        transaction.on_commit(lambda: reindex_customer_cases.enqueue(customer_id))
