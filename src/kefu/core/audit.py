"""Hashing rules of the audit trail, shared by the sealer and the verifier."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from kefu.core.models import AuditEvent

GENESIS_HASH = "0" * 64


def event_hash(event: AuditEvent) -> str:
    """Hash of everything an audit row says; any later edit of the row changes it."""
    payload = {
        "id": event.pk,
        "occurred_at": event.occurred_at.isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "subject_label": event.subject_label,
        "changes": event.changes,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seal_hash(previous_hash: str, row_hashes: Iterable[str]) -> str:
    digest = hashlib.sha256(previous_hash.encode())
    for row_hash in row_hashes:
        digest.update(row_hash.encode())
    return digest.hexdigest()
