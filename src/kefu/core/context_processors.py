from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kefu.core.selectors import calendar_missing_years


def calendar_warnings(request: HttpRequest) -> dict[str, Any]:
    """Admins see which years lack the official holiday calendar, so they can enter it by hand."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("core.change_workcalendar"):
        return {}
    return {"calendar_missing_years": calendar_missing_years()}
