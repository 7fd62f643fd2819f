"""Every write about service standards: the indicator catalogue, drafting a version of the 标准单, its
items and targets, and approving it (审核人 ≠ 填写人) so that it comes into force on its date."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    StaleVersionError,
    audit_record,
    number_next,
    validate_or_refuse,
)
from kefu.customers.choices import Ownership
from kefu.standards import selectors
from kefu.standards.choices import Measurement, StandardStatus
from kefu.standards.computations import COMPUTATIONS
from kefu.standards.models import (
    Indicator,
    ItemTarget,
    KpiFigure,
    KpiSnapshot,
    Reading,
    Standard,
    StandardItem,
)

INDICATOR_FIELDS = ("code", "name", "department", "unit", "direction", "measurement", "computation", "description")
WEIGHT_TOTAL = Decimal(100)


def _require(actor: Any, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDeniedError()


def _check_version(instance: Indicator | Standard, version: int | None) -> None:
    if version is not None and instance.version != version:
        raise StaleVersionError()


# --- indicators ------------------------------------------------------------------------------------------


def _clean_indicator(indicator: Indicator) -> None:
    if indicator.measurement == Measurement.COMPUTED:
        if indicator.computation not in COMPUTATIONS:
            raise DomainError(_("Choose how Kefu computes this indicator."), field="computation")
    else:
        indicator.computation = ""
    validate_or_refuse(indicator)
    if Indicator.objects.filter(code=indicator.code).exclude(pk=indicator.pk).exists():
        raise DomainError(_("Another indicator has this code."), field="code")


@transaction.atomic
def indicator_create(*, actor: Any, data: Mapping[str, Any]) -> Indicator:
    _require(actor, "standards.manage_indicators")
    indicator = Indicator(**{name: data[name] for name in INDICATOR_FIELDS if name in data})
    _clean_indicator(indicator)
    indicator.save()
    audit_record(actor=actor, action="indicator.created", subject=indicator)
    return indicator


@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, data: Mapping[str, Any], version: int | None) -> Indicator:
    _require(actor, "standards.manage_indicators")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _check_version(indicator, version)
    changes: dict[str, Any] = {}
    for name in INDICATOR_FIELDS:
        if name in data and getattr(indicator, name) != data[name]:
            changes[name] = [str(getattr(indicator, name)), str(data[name])]
            setattr(indicator, name, data[name])
    if "is_active" in data and indicator.is_active != data["is_active"]:
        changes["is_active"] = [indicator.is_active, data["is_active"]]
        indicator.is_active = data["is_active"]
    if not changes:
        return indicator
    _clean_indicator(indicator)
    indicator.version = F("version") + 1
    indicator.save()
    indicator.refresh_from_db()
    audit_record(actor=actor, action="indicator.updated", subject=indicator, changes=changes)
    return indicator


# --- standards -------------------------------------------------------------------------------------------


def _locked_draft(standard: Standard, version: int | None) -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    _check_version(standard, version)
    if standard.status != StandardStatus.DRAFT:
        raise DomainError(_("An approved standard cannot be changed; draft a new version."), code="conflict")
    return standard


def _bump(standard: Standard) -> None:
    Standard.objects.filter(pk=standard.pk).update(version=F("version") + 1)
    standard.refresh_from_db(fields=["version"])


@transaction.atomic
def standard_draft(*, actor: Any, based_on: Standard | None = None) -> Standard:
    """A new draft version, with the items and targets of `based_on` (the last version when None)."""
    _require(actor, "standards.draft_standards")
    if Standard.objects.filter(status=StandardStatus.DRAFT).exists():
        raise DomainError(_("A draft is already open; finish or delete it first."), code="conflict")
    based_on = based_on or Standard.objects.order_by("-version_no").first()
    last = Standard.objects.aggregate(n=Max("version_no"))["n"] or 0
    standard = Standard.objects.create(
        number=number_next(prefix="BZ"),
        version_no=last + 1,
        effective_from=timezone.localdate(),
        drafted_by=actor,
    )
    if based_on is not None:
        for item in based_on.items.prefetch_related("targets"):
            copy = StandardItem.objects.create(
                standard=standard,
                department_id=item.department_id,
                indicator_id=item.indicator_id,
                weight=item.weight,
                position=item.position,
            )
            ItemTarget.objects.bulk_create(
                ItemTarget(item=copy, customer_type=t.customer_type, target=t.target) for t in item.targets.all()
            )
    audit_record(
        actor=actor,
        action="standard.drafted",
        subject=standard,
        changes={"based_on": based_on.version_no if based_on else None},
    )
    return standard


@transaction.atomic
def standard_update(*, actor: Any, standard: Standard, data: Mapping[str, Any], version: int | None) -> Standard:
    _require(actor, "standards.draft_standards")
    standard = _locked_draft(standard, version)
    changes = {}
    for name in ("effective_from", "note"):
        if name in data and getattr(standard, name) != data[name]:
            changes[name] = [str(getattr(standard, name)), str(data[name])]
            setattr(standard, name, data[name])
    if changes:
        standard.save(update_fields=["effective_from", "note"])
        _bump(standard)
        audit_record(actor=actor, action="standard.updated", subject=standard, changes=changes)
    return standard


@transaction.atomic
def standard_delete_draft(*, actor: Any, standard: Standard, version: int | None) -> None:
    _require(actor, "standards.draft_standards")
    standard = _locked_draft(standard, version)
    audit_record(actor=actor, action="standard.deleted", subject=standard)
    standard.delete()


def _clean_targets(targets: Mapping[str, Any]) -> dict[str, Decimal]:
    cleaned = {}
    for customer_type, value in targets.items():
        if customer_type not in Ownership.values:
            raise DomainError(_("Unknown customer type."), field="targets")
        if value is None or value == "":
            continue
        target = Decimal(value)
        if target < 0:
            raise DomainError(_("A target cannot be negative."), field=f"target_{customer_type}")
        cleaned[customer_type] = target
    return cleaned


@transaction.atomic
def item_save(
    *,
    actor: Any,
    standard: Standard,
    version: int | None,
    indicator: Indicator,
    weight: Decimal,
    targets: Mapping[str, Any],
    department: Any = None,
    item: StandardItem | None = None,
) -> StandardItem:
    """Add an item to a draft, or change one: its department (the indicator's by default), weight and the
    target per customer type (a blank target means none for that type)."""
    _require(actor, "standards.draft_standards")
    standard = _locked_draft(standard, version)
    if weight is None or weight <= 0 or weight > WEIGHT_TOTAL:
        raise DomainError(_("Give a weight between 0 and 100."), field="weight")
    cleaned = _clean_targets(targets)
    if not cleaned:
        raise DomainError(_("Give a target for at least one customer type."), field="targets")
    duplicate = StandardItem.objects.filter(standard=standard, indicator=indicator)
    if item is not None:
        duplicate = duplicate.exclude(pk=item.pk)
    if duplicate.exists():
        raise DomainError(_("This indicator is already in the standard."), field="indicator")
    if item is None:
        position = (standard.items.aggregate(n=Max("position"))["n"] or 0) + 1
        item = StandardItem(standard=standard, position=position)
        action = "standard.item_added"
    else:
        if item.standard_id != standard.pk:
            raise DomainError(_("This item belongs to another standard."))
        action = "standard.item_changed"
    item.indicator = indicator
    item.department = department or indicator.department
    item.weight = weight
    try:
        item.save()
    except IntegrityError as exc:  # pragma: no cover (checked above; a race)
        raise DomainError(_("This indicator is already in the standard."), field="indicator") from exc
    item.targets.all().delete()
    ItemTarget.objects.bulk_create(ItemTarget(item=item, customer_type=t, target=v) for t, v in cleaned.items())
    _bump(standard)
    audit_record(
        actor=actor,
        action=action,
        subject=standard,
        changes={
            "indicator": indicator.code,
            "weight": str(weight),
            "targets": {t: str(v) for t, v in cleaned.items()},
        },
    )
    return item


@transaction.atomic
def item_remove(*, actor: Any, item: StandardItem, version: int | None) -> None:
    _require(actor, "standards.draft_standards")
    standard = _locked_draft(item.standard, version)
    audit_record(
        actor=actor, action="standard.item_removed", subject=standard, changes={"indicator": item.indicator.code}
    )
    item.delete()
    _bump(standard)


def _department_weights(standard: Standard) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in standard.items.select_related("department"):
        totals[item.department.name] += item.weight
    return totals


@transaction.atomic
def standard_approve(*, actor: Any, standard: Standard, version: int | None) -> Standard:
    """Approve a draft: it needs items, each department's weights adding up to 100, an approver other than
    the one who filled it in, and an effective date after every approved version's (the newest approved
    version whose date has come is the one in force)."""
    _require(actor, "standards.approve_standards")
    standard = _locked_draft(standard, version)
    if actor is not None and actor.pk == standard.drafted_by_id:
        raise DomainError(_("The approver must be someone other than the person who filled it in."))
    weights = _department_weights(standard)
    if not weights:
        raise DomainError(_("The standard has no items."))
    wrong = sorted(name for name, total in weights.items() if total != WEIGHT_TOTAL)
    if wrong:
        raise DomainError(
            _("The weights of each department must add up to 100: %(departments)s.")
            % {"departments": ", ".join(wrong)},
            field="weight",
        )
    latest = (
        Standard.objects.filter(status=StandardStatus.APPROVED)
        .order_by("-effective_from")
        .values_list("effective_from", flat=True)
    ).first()
    if latest is not None and standard.effective_from <= latest:
        raise DomainError(
            _("It must take effect after the last approved version (%(date)s).") % {"date": latest.isoformat()},
            field="effective_from",
        )
    standard.status = StandardStatus.APPROVED
    standard.approved_by = actor if actor is not None and actor.pk else None
    standard.approved_at = timezone.now()
    standard.save(update_fields=["status", "approved_by", "approved_at"])
    _bump(standard)
    audit_record(
        actor=actor,
        action="standard.approved",
        subject=standard,
        changes={"effective_from": standard.effective_from.isoformat()},
    )
    return standard


@transaction.atomic
def reading_set(
    *, actor: Any, indicator: Indicator, month: dt.date, value: Decimal, customer_type: str = ""
) -> Reading:
    """Enter (or correct) the month's value of a hand-entered indicator, for one customer type or all."""
    _require(actor, "standards.manage_indicators")
    if indicator.measurement != Measurement.MANUAL:
        raise DomainError(_("Kefu computes this indicator; its values cannot be entered."), field="value")
    if customer_type and customer_type not in Ownership.values:
        raise DomainError(_("Unknown customer type."), field="customer_type")
    reading, created = Reading.objects.update_or_create(
        indicator=indicator,
        month=month.replace(day=1),
        customer_type=customer_type,
        defaults={"value": value, "entered_by": actor if actor is not None and actor.pk else None},
    )
    audit_record(
        actor=actor,
        action="indicator.reading_entered" if created else "indicator.reading_corrected",
        subject=indicator,
        changes={"month": reading.month.isoformat()[:7], "customer_type": customer_type, "value": str(value)},
    )
    _remeasure_month(reading.month)
    return reading


def _remeasure_month(month: dt.date) -> None:
    """A hand-entered value changed: queue the stored periods that include its month to be measured again."""
    last = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    touched = KpiSnapshot.objects.filter(start__lte=last, end__gte=month, computed_at__isnull=False)
    for start, end in touched.values_list("start", "end"):
        kpi_snapshot_request(actor=None, start=start, end=end, force=True)


# --- KPI snapshots -----------------------------------------------------------------------------------------

RECOMPUTE = "standards.recompute_kpis"
# A queued computation not finished after this long is taken as lost (no worker, or it failed): asking again
# queues a new one instead of waiting for ever.
REQUEST_EXPIRES = dt.timedelta(minutes=15)
# How old a snapshot of a period still running (this month, quarter, year so far) may get before the
# periodic job measures it again.
PROVISIONAL_FRESH_FOR = dt.timedelta(hours=1)


def _figure(
    snapshot: KpiSnapshot,
    item: StandardItem,
    customer_type: str,
    measure: Any,
    target: Decimal | None = None,
    attained: bool | None = None,
) -> KpiFigure:
    return KpiFigure(
        snapshot=snapshot,
        item=item,
        department_id=item.department_id,
        indicator_id=item.indicator_id,
        customer_type=customer_type,
        numerator=measure.numerator if measure else None,
        denominator=measure.denominator if measure else None,
        value=measure.value if measure else None,
        target=target,
        attained=attained,
    )


def _figures(snapshot: KpiSnapshot, report: selectors.KpiReport) -> list[KpiFigure]:
    """One figure per item overall and one per item and customer type."""
    figures = []
    for department in report.departments:
        for result in department.items:
            figures.append(_figure(snapshot, result.item, "", result.overall))
            figures += [
                _figure(snapshot, result.item, t, cell.actual, cell.target, cell.attained)
                for t, cell in result.cells.items()
            ]
    return figures


def _figures_beside(snapshot: KpiSnapshot, report: selectors.KpiReport) -> list[KpiFigure]:
    """The active indicators the period's standard does not have, for the trend charts."""
    return [
        KpiFigure(
            snapshot=snapshot,
            department_id=indicator.department_id,
            indicator=indicator,
            customer_type=customer_type,
            numerator=measure.numerator,
            denominator=measure.denominator,
            value=measure.value,
        )
        for indicator, customer_type, measure in selectors.indicators_beside(report.standard, report.start, report.end)
    ]


def kpi_snapshot_compute(*, actor: Any, start: dt.date, end: dt.date) -> KpiSnapshot:
    """Measure every item of the standard in force on `start` over [start, end] (`selectors.kpi_report`,
    company-wide) and replace the period's stored figures with the result in one transaction. The only
    writer of snapshots; the worker calls it with no actor. The measurement runs before the transaction,
    so no lock is held while it reads."""
    _require(actor, RECOMPUTE)
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="end")
    began, started = timezone.now(), time.perf_counter()
    report = selectors.kpi_report(start=start, end=end)
    snapshot = KpiSnapshot(start=start, end=end)
    figures = _figures(snapshot, report) + _figures_beside(snapshot, report)
    seconds = Decimal(time.perf_counter() - started).quantize(Decimal("0.001"))
    with transaction.atomic():
        snapshot, _created = KpiSnapshot.objects.select_for_update().get_or_create(start=start, end=end)
        KpiFigure.objects.filter(snapshot=snapshot).delete()
        for figure in figures:
            figure.snapshot = snapshot
        figures = KpiFigure.objects.bulk_create(figures)
        snapshot.standard = report.standard
        snapshot.customer_types = list(report.types)
        snapshot.computed_at = timezone.now()
        snapshot.seconds = seconds
        if snapshot.requested_at is not None and snapshot.requested_at <= began:
            # a request made while this measurement ran is left queued: it may want later records
            snapshot.requested_at = None
            snapshot.requested_by = None
        snapshot.save()
        audit_record(
            actor=actor,
            action="kpi.snapshot_computed",
            subject=snapshot,
            changes={
                "period": f"{start.isoformat()}/{end.isoformat()}",
                "standard": str(report.standard) if report.standard else "",
                "figures": len(figures),
                "seconds": str(seconds),
            },
        )
    return snapshot


def _enqueue_compute(snapshot: KpiSnapshot) -> None:
    from kefu.standards.tasks import compute_kpi_snapshot

    compute_kpi_snapshot.enqueue(snapshot.pk)


def _queue_measurement(*, actor: Any, start: dt.date, end: dt.date, force: bool) -> tuple[KpiSnapshot, bool]:
    """Mark the period's snapshot as asked for and queue its measurement; (snapshot, whether it was queued).
    Not queued when a request is already waiting (and not lost), or, without `force`, when the stored
    figures are usable."""
    now = timezone.now()
    with transaction.atomic():
        snapshot, _created = KpiSnapshot.objects.select_for_update().get_or_create(start=start, end=end)
        if not force and selectors.snapshot_is_usable(snapshot):
            return snapshot, False
        if snapshot.requested_at is not None and now - snapshot.requested_at < REQUEST_EXPIRES:
            return snapshot, False
        snapshot.requested_at = now
        snapshot.requested_by = actor if actor is not None and actor.pk else None
        snapshot.save(update_fields=["requested_at", "requested_by"])
        if force and actor is not None:
            audit_record(
                actor=actor,
                action="kpi.recompute_requested",
                subject=snapshot,
                changes={"period": f"{start.isoformat()}/{end.isoformat()}"},
            )
        _enqueue_compute(snapshot)
    snapshot.refresh_from_db()
    return snapshot, True


def kpi_snapshot_request(*, actor: Any, start: dt.date, end: dt.date, force: bool = False) -> KpiSnapshot:
    """Queue the measurement of [start, end] for the worker unless usable figures exist (or, with `force`, a
    manager's "recompute now" after late records, queue it anyway). Asking while a computation is queued
    does not queue another one. Without `force` any reader of the KPIs may ask: a period is measured once
    and then read by everyone."""
    _require(actor, RECOMPUTE if force else "standards.view_standards")
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="end")
    snapshot, _queued = _queue_measurement(actor=actor, start=start, end=end, force=force)
    return snapshot


def kpi_snapshot_to_read(*, actor: Any, start: dt.date, end: dt.date) -> tuple[KpiSnapshot, bool]:
    """The period's snapshot for a reader, and whether its figures are usable. Usable figures are read
    without a lock; without them their measurement is queued for the worker (once, however many ask)."""
    snapshot = selectors.kpi_snapshot(start, end)
    if snapshot is not None and selectors.snapshot_is_usable(snapshot):
        return snapshot, True
    snapshot = kpi_snapshot_request(actor=actor, start=start, end=end)
    return snapshot, selectors.snapshot_is_usable(snapshot)


def kpi_snapshot_compute_queued(*, snapshot_id: int) -> KpiSnapshot | None:
    """The worker's side of `kpi_snapshot_request`: measure the snapshot's period if it is still asked for."""
    snapshot = KpiSnapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None:
        return None
    if snapshot.requested_at is None and selectors.snapshot_is_usable(snapshot):
        return snapshot  # measured meanwhile (by the periodic job, or the same request queued twice)
    return kpi_snapshot_compute(actor=None, start=snapshot.start, end=snapshot.end)


def _needs_measuring(snapshot: KpiSnapshot | None, now: dt.datetime) -> bool:
    if snapshot is None or not selectors.snapshot_is_usable(snapshot):
        return True
    assert snapshot.computed_at is not None  # noqa: S101  (usable snapshots are computed)
    return selectors.snapshot_is_provisional(snapshot) and now - snapshot.computed_at >= PROVISIONAL_FRESH_FOR


TREND_MONTHS = 12


def kpi_periods_kept(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods the worker keeps measured: those the KPI page offers (last month; this month, quarter and
    year to date) and every whole month of the trend charts that end last month or this month."""
    months = selectors.months_back(today, TREND_MONTHS + 1)
    return list(dict.fromkeys([*selectors.kpi_presets(today).values(), *reversed(months)]))


def kpi_snapshots_refresh(*, today: dt.date | None = None, inline: bool = False) -> list[str]:
    """The periodic job: have each period of `kpi_periods_kept` measured that has no usable snapshot, or
    whose snapshot was taken before the period ended and is more than an hour old. A month is therefore
    measured again once after it ends (early on the 1st) and then left alone. Each period is queued as its
    own low-priority task, so the worker's other jobs (the outbox, the audit seals) run between them; a
    period already queued is not queued again, so a second run finds nothing to do. `inline` measures
    here instead (the demo seeding, with no worker running). Returns the periods queued or measured."""
    today = today or timezone.localdate()
    now = timezone.now()
    done = []
    for start, end in kpi_periods_kept(today):
        if not _needs_measuring(selectors.kpi_snapshot(start, end), now):
            continue
        if inline:
            kpi_snapshot_compute(actor=None, start=start, end=end)
        elif not _queue_measurement(actor=None, start=start, end=end, force=True)[1]:
            continue
        done.append(f"{start.isoformat()}/{end.isoformat()}")
    return done
