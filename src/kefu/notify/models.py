"""The outbox: messages to staff and customers, written in the business transaction, sent by the worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.core.fields import EncryptedTextField


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("Webhook")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookSubscription(models.Model):
    """Another system that wants an HMAC-signed POST for each matching domain event.

    `events` holds event names (``tickets.case.received``) or prefixes ending in ``.*``
    (``tickets.case.*``); ``*`` alone matches every event.
    """

    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=254)
    secret = EncryptedTextField(_("signing secret"))
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def matches(self, event: str) -> bool:
        for pattern in self.events or ():
            if pattern in ("*", event):
                return True
            if pattern.endswith(".*") and event.startswith(pattern[:-1]):
                return True
        return False


class OutboxMessage(models.Model):
    """One message to deliver. `dedupe_key` makes enqueueing the same message twice a no-op."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    webhook = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="outbox_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient}: {self.subject or self.body[:30]}"


class StaffNotification(models.Model):
    """A message in a staff member's in-app inbox (the bell in the navigation bar)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.subject}"
