"""Model fields of the shared kernel."""

from __future__ import annotations

from typing import Any

from django.db import models

from kefu.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text value stored encrypted; Python code sees the plaintext, the database never does.

    Encrypted values cannot be filtered on: pair the field with a `lookup_hash` column.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))
