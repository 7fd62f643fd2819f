"""Webhooks: each case event becomes one signed outbox POST per matching active subscription.

notify sits below tickets, so it knows the case events only by name and reads the case
generically (attributes, not imports). Delivery is the outbox's (services._post_webhook):

    POST <url>
    Content-Type: application/json; charset=utf-8
    X-Kefu-Event: tickets.case.received
    X-Kefu-Delivery: <outbox id>
    X-Kefu-Signature: sha256=<hex HMAC-SHA256 of the raw body with the subscription's secret>

    {"event": "tickets.case.received", "occurred_at": "...", "actor": "...",
     "case": {"id": 1, "number": "TS-...", "kind": "complaint", "status": "received", "severity": "normal",
              "title": "...", "customer": "...", "received_at": "...", "version": 1}}
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import rules
from django.utils import timezone

from kefu.accounts.rules import is_admin, is_cs_manager
from kefu.core import events
from kefu.core.configcache import config_cache
from kefu.notify.models import Channel, WebhookSubscription
from kefu.notify.services import message_enqueue

CASE_EVENT_PREFIX = "tickets.case."
CASE_EVENTS = (
    "received",
    "judged_invalid",
    "judged_valid",
    "objected",
    "accepted",
    "bounced",
    "investigated",
    "solution_proposed",
    "solution_approved",
    "implemented",
    "confirmed",
    "rejected_by_customer",
    "followed_up",
    "closed",
    "appealed",
    "waiting",
    "resumed",
    "assigned",
    "escalated",
    "customer_matched",
)
EVENT_NAMES = tuple(CASE_EVENT_PREFIX + name for name in CASE_EVENTS)

rules.add_perm("notify.manage_webhooks", is_admin | is_cs_manager)


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else None


def case_payload(event: str, case: Any, actor: Any = None) -> dict[str, Any]:
    """What a subscriber receives about `case`, read from its attributes."""
    customer = getattr(case, "customer", None) if getattr(case, "customer_id", None) else None
    return {
        "event": event,
        "occurred_at": timezone.now().isoformat(),
        "actor": str(actor) if actor is not None else None,
        "case": {
            "id": case.pk,
            "number": getattr(case, "number", ""),
            "kind": getattr(case, "kind", ""),
            "status": getattr(case, "status", ""),
            "severity": getattr(case, "severity", ""),
            "title": getattr(case, "title", ""),
            "customer": getattr(customer, "name", None),
            "received_at": _iso(getattr(case, "received_at", None)),
            "version": getattr(case, "version", None),
        },
    }


@config_cache([WebhookSubscription])
def active_subscriptions() -> list[WebhookSubscription]:
    """Every case event looks for subscribers; there are a handful, changed rarely: kept per process."""
    return list(WebhookSubscription.objects.filter(is_active=True))


def on_case_events(event: str, payloads: Sequence[Mapping[str, Any]]) -> None:
    """Queue one POST per case and active subscription whose events match (in the publisher's transaction)."""
    subscriptions = [s for s in active_subscriptions.get() if s.matches(event)]
    if not subscriptions:
        return
    for payload in payloads:
        case = payload["case"]
        body = json.dumps(case_payload(event, case, payload.get("actor")), ensure_ascii=False, sort_keys=True)
        version = getattr(case, "version", 0)
        for subscription in subscriptions:
            message_enqueue(
                channel=Channel.WEBHOOK,
                recipient=subscription.url,
                subject=event,
                body=body,
                dedupe_key=f"webhook-{subscription.pk}-{event}-{case.pk}-v{version}",
                webhook=subscription,
            )


# One handler object per event, made once, so subscribing again (a second ready()) changes nothing.
HANDLERS: dict[str, Callable[[Sequence[Mapping[str, Any]]], None]] = {
    name: partial(on_case_events, name) for name in EVENT_NAMES
}


def subscribe_all() -> None:
    for name, handler in HANDLERS.items():
        events.subscribe_many(name, handler)
