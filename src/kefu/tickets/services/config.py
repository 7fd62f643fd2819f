"""Configuration records managers edit: categories and time limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.services import (
    DomainError,
    audit_record,
    validate_or_refuse,
)
from kefu.tickets.models import (
    Category,
    SlaPolicy,
    SlaTarget,
)
from kefu.tickets.services._base import (
    _require,
)

# --- configuration -------------------------------------------------------------------------------


def _save_config(actor: Any, instance: Any, data: Mapping[str, Any], action: str) -> Any:
    _require(actor, "tickets.manage_sla")
    created = instance.pk is None
    changes = {}
    for name, value in data.items():
        if getattr(instance, name) != value:
            changes[name] = str(value)
            setattr(instance, name, value)
    validate_or_refuse(instance)
    instance.save()
    audit_record(
        actor=actor, action=f"tickets.{action}.{'created' if created else 'changed'}", subject=instance, changes=changes
    )
    return instance


@transaction.atomic
def category_save(*, actor: Any, data: Mapping[str, Any], category: Category | None = None) -> Category:
    """Add or change a node of the category tree (a node cannot be its own ancestor)."""
    category = category or Category()
    parent = data.get("parent")
    while parent is not None:
        if category.pk is not None and parent.pk == category.pk:
            raise DomainError(_("A category cannot sit under itself."), field="parent")
        parent = parent.parent
    return _save_config(actor, category, data, "category")  # type: ignore[no-any-return]


@transaction.atomic
def sla_policy_save(*, actor: Any, data: Mapping[str, Any], policy: SlaPolicy | None = None) -> SlaPolicy:
    return _save_config(actor, policy or SlaPolicy(), data, "sla_policy")  # type: ignore[no-any-return]


@transaction.atomic
def sla_target_save(*, actor: Any, policy: SlaPolicy, data: Mapping[str, Any]) -> SlaTarget:
    """Set one time limit of a policy (replacing the one for the same clock and severity)."""
    target = SlaTarget.objects.filter(
        policy=policy, metric=data.get("metric"), severity=data.get("severity", "")
    ).first() or SlaTarget(policy=policy)
    if int(data.get("minutes") or 0) <= 0:
        raise DomainError(_("A time limit is at least one minute."), field="minutes")
    return _save_config(actor, target, data, "sla_target")  # type: ignore[no-any-return]


@transaction.atomic
def sla_target_delete(*, actor: Any, target: SlaTarget) -> None:
    _require(actor, "tickets.manage_sla")
    audit_record(
        actor=actor, action="tickets.sla_target.deleted", subject=target.policy, changes={"target": str(target)}
    )
    target.delete()
