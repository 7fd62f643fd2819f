"""Enqueue and deliver outbox messages; webhook subscriptions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import ipaddress
import re
import secrets
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.services import DomainError, PermissionDeniedError, audit_record
from kefu.notify.models import Channel, MessageStatus, OutboxMessage, StaffNotification, WebhookSubscription
from kefu.notify.sms import sms_backend

MAX_ATTEMPTS = 6
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_USER_AGENT = "Kefu-Webhook/1"
EVENT_PATTERN = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$")


class UndeliverableError(Exception):
    """The message can never be delivered (its webhook subscription is gone): no retries."""


def message_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    dedupe_key: str | None = None,
    webhook: WebhookSubscription | None = None,
    not_before: dt.datetime | None = None,
) -> OutboxMessage | None:
    """Write a message to the outbox in the caller's transaction; None when `dedupe_key` was used before.

    `not_before` holds the message back until then (an SMS due inside quiet hours)."""
    if not recipient:
        return None
    try:
        with transaction.atomic():
            return OutboxMessage.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject,
                body=body,
                dedupe_key=dedupe_key,
                webhook=webhook,
                next_attempt_at=not_before or timezone.now(),
            )
    except IntegrityError:
        if dedupe_key and OutboxMessage.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise


def messages_enqueue_many(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """`message_enqueue` for several unsaved messages with one read and one INSERT (no savepoint each);
    returns those that were new. A message without a recipient, or whose `dedupe_key` was used
    before, is dropped."""
    wanted = [m for m in messages if m.recipient]
    keys = [m.dedupe_key for m in wanted if m.dedupe_key]
    used = (
        set(OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)) if keys else set()
    )
    new = [m for m in wanted if m.dedupe_key not in used]
    # ignore_conflicts: another transaction may have queued the same message since the read above.
    OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    return new


@dataclass(frozen=True)
class StaffNote:
    """One piece of news for one staff member; `dedupe_key` makes telling it twice a no-op."""

    user: Any
    subject: str
    body: str
    link: str
    dedupe_key: str


def staff_notify(*, user: Any, subject: str, body: str, link: str = "", dedupe_key: str) -> bool:
    """Tell a staff member in the app and, when they have an address, by e-mail; in the caller's
    transaction. False when `dedupe_key` was used before (the same news is never told twice)."""
    return staff_notify_many([StaffNote(user, subject, body, link, dedupe_key)]) == 1


def staff_notify_many(notes: Sequence[StaffNote]) -> int:
    """`staff_notify` for many notes with a few set-based INSERTs; returns how many were new."""
    wanted = {n.dedupe_key: n for n in notes if n.user is not None and getattr(n.user, "is_active", False)}
    if not wanted:
        return 0
    told = set(StaffNotification.objects.filter(dedupe_key__in=list(wanted)).values_list("dedupe_key", flat=True))
    new = [note for key, note in wanted.items() if key not in told]
    # ignore_conflicts: a sweep running at the same moment may have told the same news since the read above.
    StaffNotification.objects.bulk_create(
        [
            StaffNotification(
                recipient=n.user, subject=n.subject[:200], body=n.body, link=n.link[:300], dedupe_key=n.dedupe_key
            )
            for n in new
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(
                channel=Channel.EMAIL,
                recipient=n.user.email,
                subject=n.subject,
                body=f"{n.body}\n\n{settings.KEFU_BASE_URL}{n.link}" if n.link else n.body,
                dedupe_key=n.dedupe_key,
                next_attempt_at=now,
            )
            for n in new
            if n.user.email
        ],
        ignore_conflicts=True,
    )
    return len(new)


def notifications_mark_read(*, actor: Any, ids: Sequence[int] | None = None) -> int:
    """Mark the actor's notifications read (all of them when `ids` is None); returns how many changed.

    Only the owner's inbox state changes, no business record, so no audit event is written."""
    unread = StaffNotification.objects.filter(recipient_id=actor.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def _claim(message_id: int, now: dt.datetime) -> bool:
    """Compare-and-swap: only one worker gets to send a given message."""
    return bool(
        OutboxMessage.objects.filter(pk=message_id, status=MessageStatus.PENDING, next_attempt_at__lte=now).update(
            attempts=F("attempts") + 1, next_attempt_at=now + dt.timedelta(minutes=5)
        )
    )


def webhook_signature(secret: str, body: bytes) -> str:
    """The X-Kefu-Signature header value: ``sha256=`` and the hex HMAC-SHA256 of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_webhook(message: OutboxMessage) -> None:
    """POST the JSON body to the subscriber; any answer but 2xx (or no answer in time) is a failure."""
    subscription = message.webhook
    if subscription is None or not subscription.is_active:
        raise UndeliverableError("the webhook subscription was removed or switched off")
    if urlsplit(message.recipient).scheme not in ("http", "https"):
        raise UndeliverableError(f"not an http(s) URL: {message.recipient}")
    address = _webhook_address(message.recipient)
    body = message.body.encode()
    parts = urlsplit(message.recipient)
    connection = _pinned_connection(parts, address)
    try:
        connection.request(
            "POST",
            urlunsplit(("", "", parts.path or "/", parts.query, "")),
            body=body,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": WEBHOOK_USER_AGENT,
                "X-Kefu-Event": message.subject,
                "X-Kefu-Delivery": str(message.pk),
                "X-Kefu-Signature": webhook_signature(subscription.secret, body),
            },
        )
        status = connection.getresponse().status
    finally:
        connection.close()
    # Redirects are not followed: the place they lead to was never checked.
    if not 200 <= status < 300:
        raise ConnectionError(f"the receiver answered HTTP {status}")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address resolved (and checked) beforehand, whatever the host resolves to now."""

    def __init__(self, host: str, port: int, address: str) -> None:
        super().__init__(host, port, timeout=WEBHOOK_TIMEOUT_SECONDS)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `_PinnedHTTPConnection`, over TLS; the certificate is still checked against the host name."""

    def __init__(self, host: str, port: int, address: str) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(host, port, timeout=WEBHOOK_TIMEOUT_SECONDS, context=self.tls)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def _pinned_connection(parts: SplitResult, address: str) -> http.client.HTTPConnection:
    host, port = parts.hostname or "", _webhook_port(parts)
    if parts.scheme == "https":
        return _PinnedHTTPSConnection(host, port, address)
    return _PinnedHTTPConnection(host, port, address)


def _webhook_port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def webhook_address_problem(url: str) -> str | None:
    """Why Kefu must not POST to `url`, or None (see `_webhook_address`)."""
    if settings.KEFU_WEBHOOK_ALLOW_PRIVATE:
        return None
    try:
        _webhook_address(url)
    except (UndeliverableError, OSError) as problem:
        return str(problem)
    return None


def _webhook_address(url: str) -> str:
    """The address to POST to for `url`. Unless KEFU_WEBHOOK_ALLOW_PRIVATE is set, every address the
    host resolves to must be a public one or inside KEFU_WEBHOOK_PRIVATE_NETWORKS (else
    UndeliverableError), so a subscription cannot reach the database, the admin ports or the cloud
    metadata service inside the company's network. The delivery connects to the address checked
    here, so a host re-resolving to a private address between the check and the POST (DNS
    rebinding) gets nowhere. A host that does not resolve raises OSError: DNS may answer at the
    next attempt."""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname or "", _webhook_port(parts), proto=socket.IPPROTO_TCP)
    except (OSError, ValueError, UnicodeError):
        raise OSError(_("The host of %(url)s cannot be resolved.") % {"url": url}) from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not settings.KEFU_WEBHOOK_ALLOW_PRIVATE:
        allowed = [ipaddress.ip_network(n, strict=False) for n in settings.KEFU_WEBHOOK_PRIVATE_NETWORKS]
        for address in addresses:
            if not address.is_global and not any(address in network for network in allowed):
                raise UndeliverableError(
                    _("%(url)s leads to a private or local address (%(address)s); webhooks go to public addresses.")
                    % {"url": url, "address": address}
                )
    return str(addresses[0])


def outbox_message_id(dedupe_key: str) -> str:
    """The Message-ID header of the e-mail enqueued with `dedupe_key`, known before it is sent (replies thread)."""
    domain = settings.KEFU_MAIL_INTAKE_ADDRESS.rpartition("@")[2] or "localhost"
    return f"<{dedupe_key}@{domain}>"


def _deliver(message: OutboxMessage) -> None:
    if message.channel == Channel.EMAIL:
        headers = {"Message-ID": outbox_message_id(message.dedupe_key)} if message.dedupe_key else {}
        EmailMessage(message.subject, message.body, None, [message.recipient], headers=headers).send()
    elif message.channel == Channel.WEBHOOK:
        _post_webhook(message)
    else:
        sms_backend().send(to=message.recipient, body=message.body)


def messages_deliver_due(*, limit: int = 100) -> int:
    """Send the due messages; failures are retried with growing delays, then marked failed."""
    now = timezone.now()
    sent = 0
    due = OutboxMessage.objects.filter(status=MessageStatus.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )
    for message_id in list(due.values_list("id", flat=True)[:limit]):
        if not _claim(message_id, now):
            continue
        message = OutboxMessage.objects.select_related("webhook").get(pk=message_id)
        try:
            _deliver(message)
        except Exception as exc:
            give_up = message.attempts >= MAX_ATTEMPTS or isinstance(exc, UndeliverableError)
            OutboxMessage.objects.filter(pk=message_id).update(
                status=MessageStatus.FAILED if give_up else MessageStatus.PENDING,
                next_attempt_at=now + dt.timedelta(minutes=2**message.attempts),
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
            )
            continue
        OutboxMessage.objects.filter(pk=message_id).update(status=MessageStatus.SENT, sent_at=timezone.now())
        sent += 1
    return sent


# --- webhook subscriptions ---------------------------------------------------------------------


def _require_webhook_manager(actor: Any) -> None:
    if actor is None or not actor.has_perm("notify.manage_webhooks"):
        raise PermissionDeniedError(_("Only an administrator or the CS manager manages webhooks."))


def _clean_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(_("Give an http:// or https:// address."), field="url")
    if len(url) > 254:
        raise DomainError(_("The address may be at most 254 characters."), field="url")
    if problem := webhook_address_problem(url):
        raise DomainError(problem, field="url")
    return url


def _clean_events(events: Sequence[str]) -> list[str]:
    cleaned = []
    for event in events:
        event = str(event).strip()
        if not EVENT_PATTERN.match(event):
            raise DomainError(
                _("“%(event)s” is not an event name such as tickets.case.received or tickets.case.*.")
                % {"event": event},
                field="events",
            )
        if event not in cleaned:
            cleaned.append(event)
    if not cleaned:
        raise DomainError(_("Name at least one event."), field="events")
    return cleaned


@transaction.atomic
def webhook_subscribe(
    *, actor: Any, name: str, url: str, events: Sequence[str], secret: str = ""
) -> WebhookSubscription:
    """Subscribe another system to events; without a `secret` one is generated (shown once)."""
    _require_webhook_manager(actor)
    if not name.strip():
        raise DomainError(_("Name the subscription."), field="name")
    if secret and len(secret) < 16:
        raise DomainError(_("A signing secret has at least 16 characters."), field="secret")
    subscription = WebhookSubscription.objects.create(
        name=name.strip()[:80],
        url=_clean_url(url),
        secret=secret or secrets.token_hex(32),
        events=_clean_events(events),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="notify.webhook.subscribed",
        subject=subscription,
        changes={"url": subscription.url, "events": subscription.events},
    )
    return subscription


@transaction.atomic
def webhook_unsubscribe(*, actor: Any, subscription: WebhookSubscription) -> None:
    """Remove a subscription; its deliveries still waiting are given up."""
    _require_webhook_manager(actor)
    OutboxMessage.objects.filter(webhook=subscription, status=MessageStatus.PENDING).update(
        status=MessageStatus.FAILED, last_error="unsubscribed"
    )
    audit_record(
        actor=actor,
        action="notify.webhook.unsubscribed",
        subject=subscription,
        changes={"url": subscription.url, "events": subscription.events},
    )
    subscription.delete()
