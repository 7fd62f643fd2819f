"""How audit events read to people: one registry of action, field and value labels, filled by each app.

Field and value labels may be registered for one subject type (e.g. "tickets.case"), so the same
key reads differently on a case ("channel": 受理渠道) and on a customer ("channel": 客户渠道).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

_labels: dict[str, Promise | str] = {}
_field_labels: dict[tuple[str, str], Promise | str] = {}
_value_labels: dict[tuple[str, str], dict[str, Promise | str]] = {}
ANY_SUBJECT = ""


def register_action_labels(labels: dict[str, Any]) -> None:
    _labels.update(labels)


def register_field_labels(labels: dict[str, Any], *, subject_type: str = ANY_SUBJECT) -> None:
    _field_labels.update({(subject_type, key): label for key, label in labels.items()})


def register_value_labels(field: str, labels: dict[str, Any], *, subject_type: str = ANY_SUBJECT) -> None:
    """How the stored codes of a choice field read, e.g. {"private": _("Private")} for ownership."""
    _value_labels.setdefault((subject_type, field), {}).update(labels)


def _field_label(subject_type: str, key: str) -> str:
    return str(_field_labels.get((subject_type, key), _field_labels.get((ANY_SUBJECT, key), key)))


def _values_of(subject_type: str, key: str) -> dict[str, Promise | str]:
    return _value_labels.get((subject_type, key)) or _value_labels.get((ANY_SUBJECT, key), {})


@dataclass
class TimelineEntry:
    occurred_at: Any
    actor_label: str
    action_label: str
    change_lines: list[str]


def _format_value(value: Any, labels: dict[str, Promise | str]) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, list):
        return ", ".join(_format_value(v, labels) for v in value)
    if isinstance(value, bool):
        from django.utils.translation import gettext

        return gettext("yes") if value else gettext("no")
    return str(labels.get(str(value), value))


def describe(event: Any) -> TimelineEntry:
    lines = []
    for key, value in (event.changes or {}).items():
        label = _field_label(event.subject_type, key)
        values = _values_of(event.subject_type, key)
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}: {_format_value(value[0], values)} → {_format_value(value[1], values)}")
        else:
            lines.append(f"{label}: {_format_value(value, values)}")
    return TimelineEntry(
        occurred_at=event.occurred_at,
        actor_label=event.actor_label,
        action_label=str(_labels.get(event.action, event.action)),
        change_lines=lines,
    )
