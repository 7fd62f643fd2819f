from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_attr_str(obj: Any, name: str) -> str:
    """The attribute's value as a string, for comparing with option values in templates."""
    value = getattr(obj, name, None)
    return "" if value is None else str(getattr(value, "value", value))


@register.filter
def sort_label(code: str) -> str:
    labels = {
        "-created_at": _("Newest first"),
        "created_at": _("Oldest first"),
        "name": _("Name A→Z"),
        "-name": _("Name Z→A"),
        "number": _("Number ascending"),
        "-number": _("Number descending"),
        "grade": _("Grade A→C"),
        "-annual_amount": _("Largest business first"),
        "annual_amount": _("Smallest business first"),
    }
    return labels.get(code, code)


@register.filter
def timeuntil_short(delta: Any) -> str:
    """A timedelta as "2 h 05 min" / "45 min"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        return _("%(d)s d %(h)s h") % {"d": hours // 24, "h": hours % 24}
    if hours:
        return _("%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}
