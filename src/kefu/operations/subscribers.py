"""A customer renamed: its exceptions and claims, which carry its name in their search words, are
re-indexed in the same transaction (customers sits below operations and only publishes the change)."""

from __future__ import annotations

from typing import Any

from kefu.operations import services


def on_customer_changed(*, customer: Any, changes: dict[str, Any], **_payload: Any) -> None:
    if "name" in changes:
        services.shipment_records_reindex_customer(customer_id=customer.pk)
