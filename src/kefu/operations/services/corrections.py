"""Corrections to open after-sales applications: a typo in the reason, the agreed fee, the appointment.

Each application keeps its editable fields only while it is open, and only those its step still allows
(a cancellation's fee until the customer signs it, a repair's charge between diagnosis and the repair);
once decided, paid or closed it is a record of what happened and stays as it is. Every correction checks
the version the editor read, so two people correcting at once never overwrite each other silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from kefu.core.services import DomainError, StaleVersionError, audit_record, validate_or_refuse
from kefu.operations.choices import CancellationStatus, RefundStatus, RepairFault, RepairStatus, ReturnStatus
from kefu.operations.models import Cancellation, Refund, RepairNotice, ReturnRequest
from kefu.operations.services.aftersales import cancellation_fee
from kefu.operations.services.core import _money, _require, check_time

Application = TypeVar("Application", Cancellation, ReturnRequest, RepairNotice, Refund)
_REPAIR_REQUEST = ("product", "problem")
# The fields staff may still correct, by the application's status; a status not listed is closed.
EDITABLE: dict[type[models.Model], dict[str, tuple[str, ...]]] = {
    Cancellation: {CancellationStatus.REQUESTED: ("reason", "channel", "fee")},
    ReturnRequest: {ReturnStatus.INSPECTION: ("kind", "reason"), ReturnStatus.REQUESTED: ("kind", "reason")},
    RepairNotice: {
        RepairStatus.REQUESTED: _REPAIR_REQUEST,
        RepairStatus.CONTACTED: (*_REPAIR_REQUEST, "appointment_at"),
        RepairStatus.DIAGNOSED: ("diagnosis", "parts", "charge"),
    },
    Refund: {RefundStatus.PENDING: ("amount", "reason", "method")},
}


def editable_fields(record: Any) -> tuple[str, ...]:
    """What may still be corrected on `record` at its current step (empty once it is closed)."""
    return EDITABLE[type(record)].get(record.status, ())


def _correct(record: Any, data: Mapping[str, Any], version: int) -> dict[str, list[str]]:
    """Apply `data` to the locked `record` if its step allows each field; the changes as [before, after]."""
    if version != record.version:
        raise StaleVersionError()
    allowed = editable_fields(record)
    if not allowed:
        raise DomainError(
            _("This application is %s: it can no longer be corrected.") % record.get_status_display(),
            field="status",
            code="conflict",
        )
    fields = {f.name: f for f in record._meta.fields}
    changes: dict[str, list[str]] = {}
    for name, value in data.items():
        if name not in fields:
            raise DomainError(_("Unknown field: %s") % name, field=name)
        if name not in allowed:
            raise DomainError(
                _("%(field)s cannot be corrected while the application is %(status)s.")
                % {"field": fields[name].verbose_name, "status": record.get_status_display()},
                field=name,
                code="conflict",
            )
        value = value.strip() if isinstance(value, str) else value
        if getattr(record, name) != value:
            changes[name] = [str(getattr(record, name)), str(value)]
            setattr(record, name, value)
    validate_or_refuse(record)
    return changes


def _save(record: Application, changes: dict[str, list[str]], *, actor: Any, action: str, subject: Any) -> Application:
    if changes:
        record.version += 1
        record.save()
        audit_record(actor=actor, action=action, subject=subject, changes={"number": record.number, **changes})
    return record


@transaction.atomic
def cancellation_correct(
    *, actor: Any, cancellation: Cancellation, data: Mapping[str, Any], version: int
) -> Cancellation:
    """Reason, channel and, until the customer signs it, the fee (never below the 48-hour rule's minimum)."""
    _require(actor, "operations.add_order", cancellation.order)
    record = Cancellation.objects.select_for_update().select_related("order").get(pk=cancellation.pk)
    changes = _correct(record, data, version)
    if "fee" in changes:
        if record.customer_signed_at is not None:
            raise DomainError(
                _("The customer signed the application with this fee; withdraw it and open a new one instead."),
                field="fee",
                code="conflict",
            )
        _hours, minimum = cancellation_fee(record.order, record.requested_at)
        if record.fee < minimum:
            raise DomainError(_("The fee must be at least %s.") % minimum, field="fee")
        record.fee = _money(record.fee)
    return _save(record, changes, actor=actor, action="operations.cancellation.corrected", subject=record.order)


@transaction.atomic
def return_correct(*, actor: Any, request: ReturnRequest, data: Mapping[str, Any], version: int) -> ReturnRequest:
    """Return or exchange, and the reason, until the department head decides."""
    _require(actor, "operations.add_order", request.order)
    record = ReturnRequest.objects.select_for_update().select_related("order").get(pk=request.pk)
    changes = _correct(record, data, version)
    return _save(record, changes, actor=actor, action="operations.return.corrected", subject=record.order)


@transaction.atomic
def repair_correct(*, actor: Any, repair: RepairNotice, data: Mapping[str, Any], version: int) -> RepairNotice:
    """Product and problem until the diagnosis, the appointment once booked, the diagnosis until the repair."""
    _require(actor, "operations.add_order", repair.customer)
    record = RepairNotice.objects.select_for_update().select_related("customer").get(pk=repair.pk)
    changes = _correct(record, data, version)
    if "appointment_at" in changes:
        if record.appointment_at is None:
            raise DomainError(_("Enter the inspection appointment."), field="appointment_at")
        check_time(record.appointment_at, "appointment_at")
    if "charge" in changes:
        if record.fault == RepairFault.OURS and record.charge:
            raise DomainError(_("A repair that is our fault is free of charge."), field="charge")
        record.charge = _money(record.charge)
    return _save(record, changes, actor=actor, action="operations.repair.corrected", subject=record)


@transaction.atomic
def refund_correct(*, actor: Any, refund: Refund, data: Mapping[str, Any], version: int) -> Refund:
    """Amount, reason and method of a refund not paid yet; never more than the order's price."""
    _require(actor, "operations.pay_claims")
    record = Refund.objects.select_for_update().select_related("order").get(pk=refund.pk)
    changes = _correct(record, data, version)
    if "amount" in changes:
        if not Decimal("0") < record.amount <= record.order.price:
            raise DomainError(
                _("The refund must be more than zero and at most the order's price %s.") % record.order.price,
                field="amount",
            )
        record.amount = _money(record.amount)
    return _save(record, changes, actor=actor, action="operations.refund.corrected", subject=record)
