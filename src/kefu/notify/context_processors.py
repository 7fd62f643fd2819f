from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kefu.notify.selectors import unread_count


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The number on the bell in the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_count(user)}
