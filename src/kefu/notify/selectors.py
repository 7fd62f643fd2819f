"""Reads of the staff inbox."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kefu.notify.models import StaffNotification


def notifications_for(user: Any, *, unread_only: bool = False) -> QuerySet[StaffNotification]:
    notifications = StaffNotification.objects.filter(recipient_id=user.pk)
    return notifications.filter(read_at__isnull=True) if unread_only else notifications


def unread_count(user: Any) -> int:
    return notifications_for(user, unread_only=True).count()
