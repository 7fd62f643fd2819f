"""Every write of the improvement loop: a PDCA cycle, its 客户服务分析, the 客户服务改进表 (items with the
value before measured from the records, sign-off in turn by the CS manager, the related department
managers and the general manager, progress, the value after measured at completion), and the new version
of the 客户服务标准单 it proposes (drafted and targeted through the standards' own services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kefu.accounts.models import Department, Role, User
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError, audit_record, number_next
from kefu.customers.choices import Ownership
from kefu.improvement import selectors
from kefu.improvement.choices import ApprovalStep, Decision, ItemStatus, PlanStatus
from kefu.improvement.models import Analysis, Approval, Cause, Cycle, Plan, PlanItem, Progress
from kefu.notify.services import staff_notify
from kefu.standards import selectors as standard_selectors
from kefu.standards import services as standard_services
from kefu.standards.models import Indicator, Standard

# The sign-off boxes of the 改进表 in their order, the status waiting for each, and who signs it.
STEP_OF_STATUS = {
    PlanStatus.CS_APPROVAL: ApprovalStep.CS_MANAGER,
    PlanStatus.DEPT_APPROVAL: ApprovalStep.DEPT_MANAGER,
    PlanStatus.GM_APPROVAL: ApprovalStep.GENERAL_MANAGER,
}
STEP_OF_ROLE = {
    Role.CS_MANAGER: ApprovalStep.CS_MANAGER,
    Role.DEPT_MANAGER: ApprovalStep.DEPT_MANAGER,
    Role.GENERAL_MANAGER: ApprovalStep.GENERAL_MANAGER,
}
NEXT_STATUS = {
    ApprovalStep.CS_MANAGER: PlanStatus.DEPT_APPROVAL,
    ApprovalStep.DEPT_MANAGER: PlanStatus.GM_APPROVAL,
    ApprovalStep.GENERAL_MANAGER: PlanStatus.APPROVED,
}
ORDER = list(ApprovalStep)
ROLE_OF_STEP = {step: role for role, step in STEP_OF_ROLE.items()}


def _require(actor: Any, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDeniedError()


def _check_version(instance: Analysis | Plan, version: int | None) -> None:
    if version is not None and instance.version != version:
        raise StaleVersionError()


def _bump(instance: Model) -> None:
    type(instance)._default_manager.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])


# --- cycles ----------------------------------------------------------------------------------------------


@transaction.atomic
def cycle_create(*, actor: Any, name: str, start: dt.date, end: dt.date, customer_type: str = "") -> Cycle:
    """A PDCA cycle over [start, end] for one customer type (or all): one cycle per period and type."""
    _require(actor, "improvement.manage_cycles")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the cycle a name."), field="name")
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="end")
    if customer_type and customer_type not in Ownership.values:
        raise DomainError(_("Unknown customer type."), field="customer_type")
    if Cycle.objects.filter(start=start, end=end, customer_type=customer_type).exists():
        raise DomainError(_("A cycle for this period and customer type exists already."), field="start")
    try:
        with transaction.atomic():
            cycle = Cycle.objects.create(
                number=number_next(prefix="PDCA"),
                name=name[:80],
                start=start,
                end=end,
                customer_type=customer_type,
                created_by=actor,
            )
    except IntegrityError as exc:  # pragma: no cover (checked above; a race)
        raise DomainError(_("A cycle for this period and customer type exists already."), field="start") from exc
    audit_record(
        actor=actor,
        action="improvement.cycle_created",
        subject=cycle,
        changes={"start": start.isoformat(), "end": end.isoformat(), "customer_type": customer_type},
    )
    return cycle


# --- 客户服务分析 --------------------------------------------------------------------------------------


@transaction.atomic
def analysis_save(
    *,
    actor: Any,
    cycle: Cycle,
    version: int | None,
    causes: Mapping[int, str],
    departments: Iterable[Department] = (),
    summary: str = "",
) -> Analysis:
    """Write (or rewrite) the cycle's analysis: the cause of each indicator that missed its target, the
    departments that took part and the conclusions. A blank cause removes it. `version` is the one the
    writer saw (0 when there was no analysis yet); a stale one is refused."""
    _require(actor, "improvement.edit_analysis")
    analysis = Analysis.objects.select_for_update().filter(cycle=cycle).first()
    if analysis is None:
        if version:
            raise StaleVersionError()
        try:
            with transaction.atomic():
                analysis = Analysis.objects.create(cycle=cycle, updated_by=actor, summary=summary)
        except IntegrityError as exc:  # pragma: no cover (someone wrote the first analysis at the same time)
            raise StaleVersionError() from exc
        action = "improvement.analysis_written"
    else:
        _check_version(analysis, version)
        action = "improvement.analysis_changed"
    written = {int(pk): text.strip() for pk, text in causes.items() if text and text.strip()}
    known = set(Indicator.objects.filter(pk__in=written).values_list("pk", flat=True))
    if set(written) - known:
        raise DomainError(_("Unknown indicator."), field="causes")
    analysis.summary = summary.strip()
    analysis.updated_by = actor
    analysis.updated_at = timezone.now()
    analysis.save(update_fields=["summary", "updated_by", "updated_at"])
    analysis.departments.set(list(departments))
    analysis.causes.all().delete()
    Cause.objects.bulk_create(Cause(analysis=analysis, indicator_id=pk, text=text) for pk, text in written.items())
    if action == "improvement.analysis_changed":
        _bump(analysis)
    audit_record(
        actor=actor,
        action=action,
        subject=cycle,
        changes={
            "departments": sorted(d.name for d in analysis.departments.all()),
            "causes": {str(pk): text[:200] for pk, text in written.items()},
        },
    )
    return analysis


# --- 客户服务改进表 ------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(*, actor: Any, cycle: Cycle) -> Plan:
    """The cycle's improvement plan, as a draft; its related departments start as the departments that took
    part in the analysis, other than customer service."""
    _require(actor, "improvement.manage_cycles")
    if Plan.objects.filter(cycle=cycle).exists():
        raise DomainError(_("This cycle has an improvement plan already."), code="conflict")
    try:
        with transaction.atomic():
            plan = Plan.objects.create(cycle=cycle, number=number_next(prefix="GJ"), filled_by=actor)
    except IntegrityError as exc:  # pragma: no cover (checked above; a race)
        raise DomainError(_("This cycle has an improvement plan already."), code="conflict") from exc
    analysis = Analysis.objects.filter(cycle=cycle).first()
    if analysis is not None:
        plan.departments.set(analysis.departments.filter(is_customer_service=False))
    audit_record(actor=actor, action="improvement.plan_created", subject=plan)
    return plan


def _locked_draft(plan: Plan, version: int | None) -> Plan:
    plan = Plan.objects.select_for_update().select_related("cycle").get(pk=plan.pk)
    _check_version(plan, version)
    if plan.status != PlanStatus.DRAFT:
        raise DomainError(_("Only a draft plan can be changed; reject it back to draft first."), code="conflict")
    return plan


def _locked(plan: Plan, version: int | None, *statuses: str) -> Plan:
    plan = Plan.objects.select_for_update().select_related("cycle").get(pk=plan.pk)
    _check_version(plan, version)
    if plan.status not in statuses:
        raise DomainError(
            _("Not possible while the plan is: %(status)s.") % {"status": plan.get_status_display()}, code="conflict"
        )
    return plan


@transaction.atomic
def plan_update(
    *, actor: Any, plan: Plan, version: int | None, departments: Iterable[Department], note: str = ""
) -> Plan:
    _require(actor, "improvement.manage_cycles")
    plan = _locked_draft(plan, version)
    plan.note = note.strip()
    plan.save(update_fields=["note"])
    plan.departments.set(list(departments))
    _bump(plan)
    audit_record(
        actor=actor,
        action="improvement.plan_changed",
        subject=plan,
        changes={"departments": sorted(d.name for d in plan.departments.all()), "note": plan.note[:200]},
    )
    return plan


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Give a number."), field=field) from exc
    if not number.is_finite() or number < 0 or number >= Decimal("1e8"):
        raise DomainError(_("Give a number of 0 or more."), field=field)
    return number


@transaction.atomic
def plan_item_save(
    *,
    actor: Any,
    plan: Plan,
    version: int | None,
    indicator: Indicator,
    target: Any,
    actions: str,
    owner: Any,
    starts_on: dt.date,
    ends_on: dt.date,
    item: PlanItem | None = None,
) -> PlanItem:
    """Add a row to a draft plan, or change one. Its value before is measured from the records of the
    analysed period (not typed); the indicator must be in the standard in force then."""
    _require(actor, "improvement.manage_cycles")
    plan = _locked_draft(plan, version)
    target = _decimal(target, "target")
    if not (actions or "").strip():
        raise DomainError(_("Say what will be done."), field="actions")
    if owner is None or not owner.is_active:
        raise DomainError(_("Choose an active owner."), field="owner")
    if ends_on < starts_on:
        raise DomainError(_("The end date is before the start date."), field="ends_on")
    cycle = plan.cycle
    standard = standard_selectors.standard_in_force(cycle.start)
    if standard is None or not standard.items.filter(indicator=indicator).exists():
        raise DomainError(
            _("This indicator is not in the service standard in force for the analysed period."), field="indicator"
        )
    duplicate = PlanItem.objects.filter(plan=plan, indicator=indicator)
    if item is not None:
        if item.plan_id != plan.pk:
            raise DomainError(_("This item belongs to another plan."))
        duplicate = duplicate.exclude(pk=item.pk)
    if duplicate.exists():
        raise DomainError(_("This indicator is already in the plan."), field="indicator")
    before = selectors.indicator_values(
        indicator_ids=[indicator.pk], start=cycle.start, end=cycle.end, customer_type=cycle.customer_type
    )[indicator.pk]
    if item is None:
        position = (plan.items.aggregate(n=Max("position"))["n"] or 0) + 1
        item = PlanItem(plan=plan, position=position)
        action = "improvement.item_added"
    else:
        action = "improvement.item_changed"
    item.indicator = indicator
    item.value_before = before
    item.target = target
    item.actions = actions.strip()
    item.owner = owner
    item.starts_on = starts_on
    item.ends_on = ends_on
    item.save()
    _bump(plan)
    audit_record(
        actor=actor,
        action=action,
        subject=plan,
        changes={
            "indicator": indicator.code,
            "value_before": None if before is None else str(before),
            "target": str(target),
            "owner": str(owner),
            "dates": [starts_on.isoformat(), ends_on.isoformat()],
        },
    )
    return item


@transaction.atomic
def plan_item_remove(*, actor: Any, item: PlanItem, version: int | None) -> None:
    _require(actor, "improvement.manage_cycles")
    plan = _locked_draft(item.plan, version)
    audit_record(
        actor=actor, action="improvement.item_removed", subject=plan, changes={"indicator": item.indicator.code}
    )
    item.delete()
    _bump(plan)


def _tell(users: Iterable[Any], plan: Plan, *, key: str, subject: str, body: str) -> None:
    """Tell each user in the app (and by e-mail), in their own language; `subject` and `body` are English
    source strings with %(number)s, %(cycle)s and %(reason)s, translated for each reader."""
    values = {"number": plan.number, "cycle": plan.cycle.name, "reason": plan.rejection_reason}
    for user in {u.pk: u for u in users if u is not None}.values():
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            staff_notify(
                user=user,
                subject=_(subject) % values,
                body=_(body) % values,
                link=reverse("improvement:plan", args=[plan.pk]),
                dedupe_key=f"improvement-{plan.pk}-{key}-r{plan.round}-u{user.pk}",
            )


def _tell_next_signers(plan: Plan) -> None:
    """The signers of the plan's current box: the CS managers, the managers of the related departments
    that have not signed yet, or the general managers."""
    step = STEP_OF_STATUS.get(PlanStatus(plan.status))
    if step is None:
        return
    users = User.objects.filter(role=ROLE_OF_STEP[step], is_active=True)
    if step == ApprovalStep.DEPT_MANAGER:
        signed = Approval.objects.filter(plan=plan, round=plan.round, step=step, decision=Decision.APPROVED)
        users = users.filter(department__in=plan.departments.all()).exclude(
            department__in=signed.values("department_id")
        )
    _tell(
        users,
        plan,
        key=f"sign-{step.value}",
        subject=gettext_noop("Improvement plan %(number)s waits for your signature"),
        body=gettext_noop("The service improvement plan %(number)s of %(cycle)s waits for your signature."),
    )


@transaction.atomic
def plan_submit(*, actor: Any, plan: Plan, version: int | None) -> Plan:
    """Send a draft for sign-off, which starts with the customer-service manager."""
    _require(actor, "improvement.manage_cycles")
    plan = _locked_draft(plan, version)
    if not plan.items.exists():
        raise DomainError(_("The plan has no items."))
    if not plan.departments.exists():
        raise DomainError(_("Name the related departments whose managers sign the plan."), field="departments")
    plan.status = PlanStatus.CS_APPROVAL
    plan.round += 1
    plan.rejection_reason = ""
    plan.save(update_fields=["status", "round", "rejection_reason"])
    _bump(plan)
    audit_record(actor=actor, action="improvement.plan_submitted", subject=plan, changes={"round": plan.round})
    _tell_next_signers(plan)
    return plan


def _signing_step(actor: Any, plan: Plan) -> tuple[ApprovalStep, Department | None]:
    """The step `actor` signs now, or why not: a role that signs no box is refused (403); a box signed out
    of turn, or twice, is refused as a conflict (409)."""
    current = STEP_OF_STATUS.get(PlanStatus(plan.status))
    if current is None:
        raise DomainError(_("This plan is not waiting for approval."), code="conflict")
    role = getattr(actor, "role", None)
    mine = STEP_OF_ROLE.get(role) if role is not None and getattr(actor, "is_active", False) else None
    if mine is None:
        raise PermissionDeniedError(
            _(
                "The improvement plan is signed by the customer service manager, the related department managers "
                "and the general manager only."
            )
        )
    if mine != current:
        if ORDER.index(mine) > ORDER.index(current):
            message = _("Not yet: the plan is waiting for the signature of the %(step)s first.")
        else:
            message = _("This step is signed already; the plan is now waiting for the %(step)s.")
        raise DomainError(message % {"step": str(current.label).lower()}, code="conflict")
    department = None
    if current == ApprovalStep.DEPT_MANAGER:
        department = actor.department
        if department is None or not plan.departments.filter(pk=department.pk).exists():
            raise PermissionDeniedError(_("Only the managers of the plan's related departments sign this step."))
        signed = Approval.objects.filter(
            plan=plan, round=plan.round, step=current, department=department, decision=Decision.APPROVED
        )
        if signed.exists():
            raise DomainError(
                _("%(department)s has signed already; the other related departments sign next.")
                % {"department": department.name},
                code="conflict",
            )
    return current, department


@transaction.atomic
def plan_approve(*, actor: Any, plan: Plan, version: int | None) -> Plan:
    """Sign the plan's current box. The department step needs every related department's manager; the
    general manager's signature puts the plan in force."""
    plan = _locked(plan, version, *STEP_OF_STATUS)
    step, department = _signing_step(actor, plan)
    Approval.objects.create(
        plan=plan, round=plan.round, step=step, department=department, decision=Decision.APPROVED, by=actor
    )
    if step == ApprovalStep.DEPT_MANAGER:
        signed = set(
            Approval.objects.filter(plan=plan, round=plan.round, step=step, decision=Decision.APPROVED).values_list(
                "department_id", flat=True
            )
        )
        if set(plan.departments.values_list("pk", flat=True)) - signed:
            _bump(plan)
            audit_record(
                actor=actor,
                action="improvement.plan_signed",
                subject=plan,
                changes={"step": step.value, "department": department.name if department else ""},
            )
            return plan
    plan.status = NEXT_STATUS[step]
    plan.save(update_fields=["status"])
    _bump(plan)
    audit_record(
        actor=actor,
        action="improvement.plan_signed",
        subject=plan,
        changes={"step": step.value, "department": department.name if department else "", "status": plan.status},
    )
    if plan.status == PlanStatus.APPROVED:
        _tell(
            [plan.filled_by, *(item.owner for item in plan.items.select_related("owner"))],
            plan,
            key="approved",
            subject=gettext_noop("Improvement plan %(number)s is approved"),
            body=gettext_noop("The service improvement plan %(number)s of %(cycle)s is approved: its actions start."),
        )
    else:
        _tell_next_signers(plan)
    return plan


@transaction.atomic
def plan_reject(*, actor: Any, plan: Plan, version: int | None, reason: str) -> Plan:
    """The signer of the current box sends the plan back to draft, saying why; the next submission starts
    the sign-off again from the customer-service manager."""
    plan = _locked(plan, version, *STEP_OF_STATUS)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the plan is rejected."), field="reason")
    step, department = _signing_step(actor, plan)
    Approval.objects.create(
        plan=plan,
        round=plan.round,
        step=step,
        department=department,
        decision=Decision.REJECTED,
        reason=reason,
        by=actor,
    )
    plan.status = PlanStatus.DRAFT
    plan.rejection_reason = reason
    plan.save(update_fields=["status", "rejection_reason"])
    _bump(plan)
    audit_record(
        actor=actor, action="improvement.plan_rejected", subject=plan, changes={"step": step.value, "reason": reason}
    )
    _tell(
        [plan.filled_by],
        plan,
        key="rejected",
        subject=gettext_noop("Improvement plan %(number)s is rejected"),
        body=gettext_noop("The service improvement plan %(number)s of %(cycle)s is back to draft: %(reason)s"),
    )
    return plan


@transaction.atomic
def progress_record(*, actor: Any, item: PlanItem, on: dt.date, status: str, percent: int, note: str = "") -> Progress:
    """A dated progress note on an item of an approved plan, by its owner or a manager."""
    if actor is not None and actor.pk != item.owner_id:
        _require(actor, "improvement.record_progress")
    plan = Plan.objects.select_for_update().get(pk=item.plan_id)
    if plan.status != PlanStatus.APPROVED:
        raise DomainError(
            _("Progress is recorded once the plan is approved and until it is completed."), code="conflict"
        )
    if status not in ItemStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    if percent is None or not 0 <= percent <= 100:
        raise DomainError(_("Give a percentage between 0 and 100."), field="percent")
    if status == ItemStatus.DONE:
        percent = 100
    elif percent == 100:
        status = ItemStatus.DONE
    if on > timezone.localdate():
        raise DomainError(_("Progress cannot be dated in the future."), field="on")
    progress = Progress.objects.create(item=item, on=on, status=status, percent=percent, note=note.strip(), by=actor)
    PlanItem.objects.filter(pk=item.pk).update(status=status, percent=percent)
    _bump(plan)
    audit_record(
        actor=actor,
        action="improvement.progress_recorded",
        subject=plan,
        changes={"indicator": item.indicator.code, "status": status, "percent": percent, "on": on.isoformat()},
    )
    return progress


@transaction.atomic
def plan_complete(*, actor: Any, plan: Plan, version: int | None, after_start: dt.date, after_end: dt.date) -> Plan:
    """Close an approved plan: each item's value after is measured from the records of [after_start,
    after_end], a period after the analysed one, for the cycle's customer type."""
    _require(actor, "improvement.manage_cycles")
    plan = _locked(plan, version, PlanStatus.APPROVED)
    if after_end < after_start:
        raise DomainError(_("The period ends before it starts."), field="after_end")
    if after_start <= plan.cycle.end:
        raise DomainError(
            _("The period after the improvement must start after the analysed period (%(date)s).")
            % {"date": plan.cycle.end.isoformat()},
            field="after_start",
        )
    if after_end > timezone.localdate():
        raise DomainError(_("The period after the improvement cannot end in the future."), field="after_end")
    items = list(plan.items.all())
    values = selectors.indicator_values(
        indicator_ids=[i.indicator_id for i in items],
        start=after_start,
        end=after_end,
        customer_type=plan.cycle.customer_type,
    )
    for item in items:
        item.value_after = values[item.indicator_id]
    PlanItem.objects.bulk_update(items, ["value_after"])
    plan.status = PlanStatus.COMPLETED
    plan.after_start, plan.after_end = after_start, after_end
    plan.completed_at = timezone.now()
    plan.save(update_fields=["status", "after_start", "after_end", "completed_at"])
    _bump(plan)
    audit_record(
        actor=actor,
        action="improvement.plan_completed",
        subject=plan,
        changes={
            "period": [after_start.isoformat(), after_end.isoformat()],
            "after": {i.indicator.code: None if i.value_after is None else str(i.value_after) for i in items},
        },
    )
    return plan


# --- 客户服务标准更新 ----------------------------------------------------------------------------------


@transaction.atomic
def plan_propose_standard(
    *,
    actor: Any,
    plan: Plan,
    version: int | None,
    targets: Mapping[int, Any],
    effective_from: dt.date,
) -> Standard:
    """From a completed plan, draft the next version of the 标准单 as a copy of the one in force with the new
    targets of the plan's indicators (for the cycle's customer type, or every type when the cycle covers
    all). The draft then goes through the standards' own approval and takes effect on its date."""
    _require(actor, "improvement.manage_cycles")
    plan = _locked(plan, version, PlanStatus.COMPLETED)
    if plan.proposed_standard_id is not None:
        raise DomainError(_("This plan has proposed a standard version already."), code="conflict")
    items = {i.pk: i for i in plan.items.select_related("indicator")}
    if not targets or set(targets) - set(items):
        raise DomainError(_("Give the new targets of the plan's items."), field="targets")
    cleaned = {pk: _decimal(value, f"target_{pk}") for pk, value in targets.items() if value not in (None, "")}
    if not cleaned:
        raise DomainError(_("Give the new targets of the plan's items."), field="targets")
    if effective_from <= timezone.localdate():
        raise DomainError(_("The new version takes effect from a future date."), field="effective_from")
    in_force = standard_selectors.standard_in_force(timezone.localdate())
    draft = standard_services.standard_draft(actor=actor, based_on=in_force)
    lines = {line.indicator_id: line for line in draft.items.prefetch_related("targets")}
    customer_type = plan.cycle.customer_type
    for pk, target in cleaned.items():
        indicator = items[pk].indicator
        line = lines.get(indicator.pk)
        if line is None:
            raise DomainError(
                _("%(indicator)s is not in the standard in force.") % {"indicator": indicator.name},
                field=f"target_{pk}",
            )
        current = {t.customer_type: t.target for t in line.targets.all()}
        types = [customer_type] if customer_type else (list(current) or list(standard_selectors.DEFAULT_TYPES))
        standard_services.item_save(
            actor=actor,
            standard=draft,
            version=None,
            indicator=indicator,
            department=line.department,
            weight=line.weight,
            targets={**current, **dict.fromkeys(types, target)},
            item=line,
        )
    standard_services.standard_update(
        actor=actor,
        standard=draft,
        version=None,
        data={
            "effective_from": effective_from,
            "note": _("Proposed by the service improvement plan %(number)s.") % {"number": plan.number},
        },
    )
    plan.proposed_standard = draft
    plan.save(update_fields=["proposed_standard"])
    _bump(plan)
    audit_record(
        actor=actor,
        action="improvement.standard_proposed",
        subject=plan,
        changes={"standard": draft.number, "targets": {items[pk].indicator.code: str(v) for pk, v in cleaned.items()}},
    )
    draft.refresh_from_db()
    return draft
