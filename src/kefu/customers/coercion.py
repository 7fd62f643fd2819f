"""Turn raw values (JSON of a change request, cells of an import) into customer field values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext

from kefu.core.services import DomainError
from kefu.customers.models import Contact, Customer


def to_json_value(value: Any) -> Any:
    """The JSON form of a field value, as stored in a change request."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def coerce_fields(model: type[Customer] | type[Contact], raw: Mapping[str, Any]) -> dict[str, Any]:
    """Clean each raw value with its model field's form field; DomainError names the first bad field."""
    values: dict[str, Any] = {}
    for name, value in raw.items():
        try:
            form_field = model._meta.get_field(name).formfield()
        except Exception as exc:
            raise DomainError(gettext("unknown field %(name)s") % {"name": name}, field=name) from exc
        if form_field is None:
            raise DomainError(gettext("field %(name)s cannot be set") % {"name": name}, field=name)
        try:
            values[name] = form_field.clean(value)
        except ValidationError as exc:
            raise DomainError(" ".join(exc.messages), field=name) from exc
    return values
