"""The extra fields a service request type asks for (configured by managers as JSON).

One definition serves the intake form (which builds its inputs from it) and the service
(which validates what arrives, whatever the channel).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from kefu.core.services import DomainError

FIELD_TYPES = ("text", "date", "number", "choice")


def clean_extra(definition: list[dict[str, Any]], extra: dict[str, Any]) -> dict[str, Any]:
    """The request's extra values checked against the type's fields; DomainError names the first bad one."""
    known = {f["name"] for f in definition}
    unknown = set(extra) - known
    if unknown:
        raise DomainError(_("Unknown request detail: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    for spec in definition:
        name, label = spec["name"], spec.get("label", spec["name"])
        raw = extra.get(name)
        if raw in (None, ""):
            if spec.get("required"):
                raise DomainError(_("%(label)s is required.") % {"label": label}, field=name)
            continue
        cleaned[name] = _clean_value(spec, str(raw).strip(), label)
    return cleaned


def _clean_value(spec: dict[str, Any], raw: str, label: str) -> Any:
    kind = spec.get("type", "text")
    if kind == "date":
        try:
            return dt.date.fromisoformat(raw).isoformat()
        except ValueError as exc:
            raise DomainError(
                _("%(label)s must be a date (YYYY-MM-DD).") % {"label": label}, field=spec["name"]
            ) from exc
    if kind == "number":
        try:
            return str(Decimal(raw))
        except InvalidOperation as exc:
            raise DomainError(_("%(label)s must be a number.") % {"label": label}, field=spec["name"]) from exc
    if kind == "choice" and raw not in spec.get("choices", []):
        raise DomainError(
            _("%(label)s must be one of: %(choices)s")
            % {"label": label, "choices": ", ".join(spec.get("choices", []))},
            field=spec["name"],
        )
    return raw[:500]


def form_fields(definition: list[dict[str, Any]]) -> dict[str, forms.Field]:
    """Form inputs named extra_<name> for the type's fields."""
    fields: dict[str, forms.Field] = {}
    for spec in definition:
        label, required = spec.get("label", spec["name"]), bool(spec.get("required"))
        kind = spec.get("type", "text")
        if kind == "choice":
            field: forms.Field = forms.ChoiceField(
                label=label, required=required, choices=[("", "—")] + [(c, c) for c in spec.get("choices", [])]
            )
        elif kind == "date":
            field = forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        elif kind == "number":
            field = forms.DecimalField(label=label, required=required)
        else:
            field = forms.CharField(label=label, required=required, max_length=500)
        fields[f"extra_{spec['name']}"] = field
    return fields
