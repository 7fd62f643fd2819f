"""A customer moved to another service team: its cases follow, so the team's agents still see them.
A customer renamed: its cases are re-indexed under the new name, after the change commits (a large
customer has thousands of cases).

customers sits below tickets and never imports it: its services publish the change (a direct edit
or an approved change request), and this handler, inside the same transaction, updates the team each
case keeps a copy of and queues the re-indexing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kefu.tickets import services
from kefu.tickets.tasks import reindex_customer_cases


def on_customer_changed(*, customer: Any, changes: dict[str, Any], **_payload: Any) -> None:
    """Edited directly or through an approved change request."""
    if "team" in changes:
        services.cases_follow_customer_team(customer_id=customer.pk)
    if "name" in changes:
        customer_id = customer.pk
        transaction.on_commit(lambda: reindex_customer_cases.enqueue(customer_id))
