"""Webhook subscriptions: other systems receive an HMAC-signed POST for each matching case event."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.notify.models import WebhookSubscription
from kefu.notify.services import webhook_subscribe, webhook_unsubscribe

router = Router(tags=["webhooks"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class WebhookIn(Schema):
    name: str = Field(..., min_length=1, max_length=80)
    url: str = Field(..., min_length=1, max_length=254, description="http:// or https:// address to POST to")
    events: list[str] = Field(
        ..., min_length=1, max_length=50, description="Event names such as tickets.case.received, or tickets.case.*"
    )
    secret: str = Field(
        "", max_length=128, description="Signing secret (at least 16 characters); empty to have one generated"
    )


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    created_by_id: int | None
    created_at: dt.datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="Shown once: verify X-Kefu-Signature with it")


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("notify.manage_webhooks"):
        raise PermissionDeniedError()


@router.get("", response={200: list[WebhookOut], **ERRORS}, summary="List webhook subscriptions")
def list_webhooks(request: HttpRequest) -> Any:
    _require_manager(request)
    return list(WebhookSubscription.objects.all())


@router.post("", response={201: WebhookCreatedOut, **ERRORS}, summary="Subscribe to events")
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Any:
    """Each matching event is POSTed as JSON with X-Kefu-Event and
    X-Kefu-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>; failures are retried."""
    subscription = webhook_subscribe(
        actor=request.user, name=payload.name, url=payload.url, events=payload.events, secret=payload.secret
    )
    return Status(201, subscription)


@router.delete("/{pk}", response={204: None, **ERRORS}, summary="Remove a subscription")
def delete_webhook(request: HttpRequest, pk: int) -> Any:
    _require_manager(request)
    subscription = WebhookSubscription.objects.filter(pk=pk).first()
    if subscription is None:
        raise Http404("No such webhook subscription.")
    webhook_unsubscribe(actor=request.user, subscription=subscription)
    return Status(204, None)
