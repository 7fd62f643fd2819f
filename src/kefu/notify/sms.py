"""Pluggable SMS delivery. Production installs a gateway backend; the default appends to a file."""

from __future__ import annotations

import json
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsBackend(Protocol):
    def send(self, *, to: str, body: str) -> None: ...


class FileSmsBackend:
    """Appends each SMS as one JSON line to KEFU_SMS_FILE, so it can be read and tested."""

    def send(self, *, to: str, body: str) -> None:
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "to": to, "body": body}, ensure_ascii=False)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.SMS_BACKEND)()
    return backend
