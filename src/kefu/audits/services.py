"""Every write of the audits and evaluations: editing the checklist, conducting an audit (draft, answers,
completion), and filling in, pre-filling and countersigning a 客户服务评价表."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import Department, Role
from kefu.audits.choices import AuditStatus, EvaluationStatus, Level, Result, SignerRole
from kefu.audits.models import (
    Audit,
    AuditAnswer,
    ChecklistQuestion,
    ChecklistSection,
    Evaluation,
    EvaluationItem,
    Signature,
)
from kefu.audits.scoring import level_from_kpi, level_from_satisfaction
from kefu.audits.selectors import signature_places
from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    StaleVersionError,
    audit_record,
    number_next,
)
from kefu.customers.choices import Ownership
from kefu.standards.selectors import kpi_report, standard_in_force, standard_with_items
from kefu.surveys.selectors import satisfaction_index, templates_all

CONDUCT = "audits.conduct_audits"
LONGEST_PERIOD = dt.timedelta(days=366 * 3)


def _require(actor: Any, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDeniedError()


def _check_version(instance: Audit | Evaluation | ChecklistQuestion, version: int | None) -> None:
    if version is not None and instance.version != version:
        raise StaleVersionError()


def _bump(instance: Audit | Evaluation) -> None:
    type(instance).objects.filter(pk=instance.pk).update(version=F("version") + 1)
    instance.refresh_from_db(fields=["version"])


def _check_period(start: dt.date | None, end: dt.date | None) -> None:
    if start is None or end is None:
        raise DomainError(_("Give the period's first and last day."), field="period_start")
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="period_end")
    if end - start > LONGEST_PERIOD:
        raise DomainError(_("The period can be at most three years long."), field="period_end")


# --- checklist -----------------------------------------------------------------------------------------------


@transaction.atomic
def checklist_question_add(*, actor: Any, section: ChecklistSection, text: str) -> ChecklistQuestion:
    """Add a question at the end of a section; audits begun from now on ask it."""
    _require(actor, "audits.manage_checklist")
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the question."), field="text")
    if len(text) > 300:
        raise DomainError(_("Keep the question under 300 characters."), field="text")
    if section.questions.filter(text=text, is_active=True).exists():
        raise DomainError(_("This section already asks this question."), field="text")
    position = (section.questions.aggregate(n=Max("position"))["n"] or 0) + 1
    question = ChecklistQuestion.objects.create(section=section, position=position, text=text)
    audit_record(actor=actor, action="checklist.question_added", subject=question, changes={"section": section.title})
    return question


@transaction.atomic
def checklist_question_retire(*, actor: Any, question: ChecklistQuestion, version: int | None) -> ChecklistQuestion:
    """Stop asking a question; audits that answered it keep their answer and its text."""
    _require(actor, "audits.manage_checklist")
    question = ChecklistQuestion.objects.select_for_update().get(pk=question.pk)
    _check_version(question, version)
    if not question.is_active:
        raise DomainError(_("This question is already retired."), code="conflict")
    question.is_active = False
    question.retired_at = timezone.now()
    question.version += 1
    question.save(update_fields=["is_active", "retired_at", "version"])
    audit_record(actor=actor, action="checklist.question_retired", subject=question)
    return question


# --- audits ----------------------------------------------------------------------------------------------------

AUDIT_FIELDS = ("audited_on", "period_start", "period_end", "scope", "auditor", "note")


def _clean_audit(data: Mapping[str, Any]) -> None:
    _check_period(data.get("period_start"), data.get("period_end"))
    if data.get("auditor") is None:
        raise DomainError(_("Choose the reviewer."), field="auditor")
    if not data.get("departments"):
        raise DomainError(_("Choose at least one department."), field="departments")


@transaction.atomic
def audit_create(*, actor: Any, data: Mapping[str, Any]) -> Audit:
    """Begin an audit: it copies every question in use, with its section, so later checklist edits leave it as
    it was answered."""
    _require(actor, CONDUCT)
    _clean_audit(data)
    questions = list(ChecklistQuestion.objects.filter(is_active=True).select_related("section"))
    if not questions:
        raise DomainError(_("The checklist has no questions in use."))
    audit = Audit.objects.create(
        number=number_next(prefix="JC"),
        filled_by=actor,
        **{name: data[name] for name in AUDIT_FIELDS if name in data},
    )
    audit.departments.set(data["departments"])
    AuditAnswer.objects.bulk_create(
        AuditAnswer(
            audit=audit,
            question=q,
            section_position=q.section.position,
            section_title=q.section.title,
            position=q.position,
            text=q.text,
        )
        for q in questions
    )
    audit_record(actor=actor, action="audit.created", subject=audit, changes={"questions": len(questions)})
    return audit


def _locked_draft_audit(audit: Audit, version: int | None) -> Audit:
    audit = Audit.objects.select_for_update().get(pk=audit.pk)
    _check_version(audit, version)
    if audit.status != AuditStatus.DRAFT:
        raise DomainError(_("A completed audit is read-only."), code="conflict")
    return audit


@transaction.atomic
def audit_update(*, actor: Any, audit: Audit, data: Mapping[str, Any], version: int | None) -> Audit:
    _require(actor, CONDUCT)
    audit = _locked_draft_audit(audit, version)
    _clean_audit(data)
    changes: dict[str, Any] = {}
    for name in AUDIT_FIELDS:
        if name in data and getattr(audit, name) != data[name]:
            changes[name] = [str(getattr(audit, name)), str(data[name])]
            setattr(audit, name, data[name])
    departments = sorted(d.pk for d in data["departments"])
    if departments != sorted(audit.departments.values_list("pk", flat=True)):
        changes["departments"] = departments
        audit.departments.set(data["departments"])
    if changes:
        audit.save()
        _bump(audit)
        audit_record(actor=actor, action="audit.updated", subject=audit, changes=changes)
    return audit


@transaction.atomic
def audit_answer(*, actor: Any, audit: Audit, answers: Mapping[int, Mapping[str, str]], version: int | None) -> Audit:
    """Record the answers of a draft audit: {answer id: {result, evidence, note}}; a blank result leaves the
    question unanswered."""
    _require(actor, CONDUCT)
    audit = _locked_draft_audit(audit, version)
    rows = {a.pk: a for a in audit.answers.all()}
    changed = []
    for pk, given in answers.items():
        answer = rows.get(pk)
        if answer is None:
            raise DomainError(_("An answer does not belong to this audit."))
        result = given.get("result", "")
        if result and result not in Result.values:
            raise DomainError(_("Answer yes, partly, no or not applicable."), field=f"result_{pk}")
        evidence, note = given.get("evidence", "").strip(), given.get("note", "").strip()
        if (answer.result, answer.evidence, answer.note) != (result, evidence, note):
            answer.result, answer.evidence, answer.note = result, evidence, note
            changed.append(answer)
    if changed:
        AuditAnswer.objects.bulk_update(changed, ["result", "evidence", "note"])
        _bump(audit)
        audit_record(actor=actor, action="audit.answered", subject=audit, changes={"answers": len(changed)})
    return audit


@transaction.atomic
def audit_complete(*, actor: Any, audit: Audit, version: int | None) -> Audit:
    """Complete a draft: every question answered; from then on the audit is read-only."""
    _require(actor, CONDUCT)
    audit = _locked_draft_audit(audit, version)
    open_questions = audit.answers.filter(result="").count()
    if open_questions:
        raise DomainError(
            _("%(n)d questions are not answered yet; answer them (n.a. where they do not apply).")
            % {"n": open_questions}
        )
    audit.status = AuditStatus.COMPLETED
    audit.completed_at = timezone.now()
    audit.save(update_fields=["status", "completed_at"])
    _bump(audit)
    audit_record(actor=actor, action="audit.completed", subject=audit)
    return audit


@transaction.atomic
def audit_delete_draft(*, actor: Any, audit: Audit, version: int | None) -> None:
    _require(actor, CONDUCT)
    audit = _locked_draft_audit(audit, version)
    audit_record(actor=actor, action="audit.deleted", subject=audit)
    audit.delete()


# --- evaluations -----------------------------------------------------------------------------------------------

EVALUATION_FIELDS = ("filled_on", "period_start", "period_end", "customer_type", "opinion", "remarks")


def _clean_evaluation(data: Mapping[str, Any]) -> None:
    _check_period(data.get("period_start"), data.get("period_end"))
    if data.get("customer_type") and data["customer_type"] not in Ownership.values:
        raise DomainError(_("Unknown customer type."), field="customer_type")
    if not data.get("departments"):
        raise DomainError(_("Choose at least one related department."), field="departments")


@transaction.atomic
def evaluation_create(*, actor: Any, data: Mapping[str, Any]) -> Evaluation:
    """A new 评价表 filled in by `actor`; its items are the indicators of the related departments in the
    standard in force at the start of the period (weights as there), which can then be changed."""
    _require(actor, CONDUCT)
    _clean_evaluation(data)
    evaluation = Evaluation.objects.create(
        number=number_next(prefix="PJ"),
        filled_by=actor,
        **{name: data[name] for name in EVALUATION_FIELDS if name in data},
    )
    departments = list(data["departments"])
    evaluation.departments.set(departments)
    standard = standard_in_force(evaluation.period_start)
    items: list[EvaluationItem] = []
    if standard is not None:
        full = standard_with_items(standard.pk)
        wanted = {d.pk for d in departments}
        for item in full.items.all() if full else []:
            if item.department_id in wanted:
                items.append(
                    EvaluationItem(
                        evaluation=evaluation,
                        position=len(items) + 1,
                        content=f"{item.department.name} · {item.indicator.name}",
                        indicator=item.indicator,
                        weight=item.weight,
                    )
                )
    EvaluationItem.objects.bulk_create(items)
    audit_record(actor=actor, action="evaluation.created", subject=evaluation, changes={"items": len(items)})
    return evaluation


def _locked_unsigned(evaluation: Evaluation, version: int | None) -> Evaluation:
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_version(evaluation, version)
    if evaluation.signatures.exists():
        raise DomainError(_("The evaluation has been signed; it can no longer be changed."), code="conflict")
    return evaluation


@transaction.atomic
def evaluation_update(
    *, actor: Any, evaluation: Evaluation, data: Mapping[str, Any], version: int | None
) -> Evaluation:
    _require(actor, CONDUCT)
    evaluation = _locked_unsigned(evaluation, version)
    _clean_evaluation(data)
    changes: dict[str, Any] = {}
    for name in EVALUATION_FIELDS:
        if name in data and getattr(evaluation, name) != data[name]:
            changes[name] = [str(getattr(evaluation, name)), str(data[name])]
            setattr(evaluation, name, data[name])
    departments = sorted(d.pk for d in data["departments"])
    if departments != sorted(evaluation.departments.values_list("pk", flat=True)):
        changes["departments"] = departments
        evaluation.departments.set(data["departments"])
    if changes:
        evaluation.save()
        _bump(evaluation)
        audit_record(actor=actor, action="evaluation.updated", subject=evaluation, changes=changes)
    return evaluation


def _level(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = -1
    if level not in Level.values:
        raise DomainError(_("Score 10 (good), 5 (fair) or 0 (poor)."), field=field)
    return level


def _weight(value: Any, field: str) -> Decimal:
    try:
        weight = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("Give the weight as a number."), field=field) from exc
    if not weight.is_finite() or weight <= 0 or weight > 100:
        raise DomainError(_("Give a weight between 0 and 100."), field=field)
    return weight.quantize(Decimal("0.1"))


@transaction.atomic
def evaluation_items_save(
    *,
    actor: Any,
    evaluation: Evaluation,
    rows: Iterable[Mapping[str, Any]],
    version: int | None,
) -> Evaluation:
    """Replace the items of an unsigned evaluation with `rows` ({content, customer_score, internal_score,
    weight, evaluator, indicator, dimension}); rows without content are dropped."""
    _require(actor, CONDUCT)
    evaluation = _locked_unsigned(evaluation, version)
    items: list[EvaluationItem] = []
    for index, row in enumerate(rows, start=1):
        content = (row.get("content") or "").strip()
        if not content:
            continue
        if len(content) > 200:
            raise DomainError(_("Keep the content under 200 characters."), field=f"content_{index}")
        items.append(
            EvaluationItem(
                evaluation=evaluation,
                position=len(items) + 1,
                content=content,
                customer_score=_level(row.get("customer_score"), f"customer_score_{index}"),
                internal_score=_level(row.get("internal_score"), f"internal_score_{index}"),
                weight=_weight(row.get("weight", 1), f"weight_{index}"),
                evaluator=(row.get("evaluator") or "").strip()[:60],
                indicator=row.get("indicator"),
                dimension=row.get("dimension"),
            )
        )
    evaluation.items.all().delete()
    EvaluationItem.objects.bulk_create(items)
    _bump(evaluation)
    audit_record(actor=actor, action="evaluation.items_saved", subject=evaluation, changes={"items": len(items)})
    return evaluation


def _worst(levels: Iterable[int | None]) -> int | None:
    known = [level for level in levels if level is not None]
    return min(known) if known else None


@transaction.atomic
def evaluation_prefill(*, actor: Any, evaluation: Evaluation, version: int | None) -> int:
    """Fill in the scores the records can give (see `kefu.audits.scoring`): the internal score of an item
    with an indicator from the KPI measurement of the period (for the evaluation's customer type; with no
    type, the lowest level over the types), the customer score from the satisfaction index of the period's
    surveys (the item's dimension score when it names one). Scores with no data are left as they are.
    Returns how many scores were set."""
    _require(actor, CONDUCT)
    evaluation = _locked_unsigned(evaluation, version)
    report = kpi_report(
        start=evaluation.period_start, end=evaluation.period_end, customer_type=evaluation.customer_type
    )
    internal: dict[int, int | None] = {}
    for department in report.departments:
        for result in department.items:
            internal[result.item.indicator_id] = _worst(
                level_from_kpi(cell.actual.value if cell.actual else None, cell.target, result.item.indicator.direction)
                for cell in result.cells.values()
            )
    template = templates_all().filter(code="customer-service").first()
    rows = satisfaction_index(start=evaluation.period_start, end=evaluation.period_end, template=template)
    index_row = rows[0] if rows else None
    target = template.target_index if template else None
    low = template.low_score_below if template else Decimal(60)
    changed = 0
    items = list(evaluation.items.all())
    for item in items:
        level = internal.get(item.indicator_id) if item.indicator_id else None
        if level is not None and level != item.internal_score:
            item.internal_score = level
            changed += 1
        if index_row is not None:
            score = index_row.dimensions.get(item.dimension_id) if item.dimension_id else index_row.index
            customer = level_from_satisfaction(score, target, low)
            if customer is not None and customer != item.customer_score:
                item.customer_score = customer
                changed += 1
    if changed:
        EvaluationItem.objects.bulk_update(items, ["internal_score", "customer_score"])
        _bump(evaluation)
        audit_record(actor=actor, action="evaluation.prefilled", subject=evaluation, changes={"scores": changed})
    return changed


def _may_sign(user: Any, role: str, department: Department | None, evaluation: Evaluation) -> bool:
    if role == SignerRole.FILLER:
        return bool(user.pk == evaluation.filled_by_id)
    if role == SignerRole.DEPT_MANAGER:
        return department is not None and department.manager_id == user.pk
    return bool(user.role == Role.CS_MANAGER and user.is_active)


@transaction.atomic
def evaluation_sign(
    *, actor: Any, evaluation: Evaluation, role: str, department: Department | None = None, version: int | None
) -> Signature:
    """`actor` countersigns in one capacity: the form filler first, then the related departments' managers
    (in any order), the CS manager last. Each signs as themselves; the first signature freezes the content,
    the last makes the evaluation final. Every item must be scored before anyone signs."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    _check_version(evaluation, version)
    if evaluation.status == EvaluationStatus.FINAL:
        raise DomainError(_("The evaluation is final; every signature is in."), code="conflict")
    places = signature_places(evaluation)
    if role not in SignerRole.values or (role, department) not in places:
        raise DomainError(_("This evaluation is not signed in that capacity."), field="role")
    if actor is None or not _may_sign(actor, role, department, evaluation):
        raise PermissionDeniedError(_("Only that person can sign there, as themselves."))
    items = list(evaluation.items.all())
    if not items:
        raise DomainError(_("The evaluation has no items to sign."))
    if any(i.customer_score is None and i.internal_score is None for i in items):
        raise DomainError(_("Score every item before signing."))
    signed = {(s.role, s.department_id) for s in evaluation.signatures.all()}
    if (role, department.pk if department else None) in signed:
        raise DomainError(_("This place is already signed."), code="conflict")
    waiting = [(r, d) for r, d in places if (r, d.pk if d else None) not in signed and r != role]
    order = [SignerRole.FILLER, SignerRole.DEPT_MANAGER, SignerRole.CS_MANAGER]
    earlier = [r for r, _d in waiting if order.index(SignerRole(r)) < order.index(SignerRole(role))]
    if earlier:
        raise DomainError(
            _("Not yet: the form filler signs first, then the related department managers, then the CS manager."),
            code="conflict",
        )
    signature = Signature.objects.create(
        evaluation=evaluation, role=role, department=department, user=actor, signed_at=timezone.now()
    )
    evaluation.status = EvaluationStatus.FINAL if len(signed) + 1 == len(places) else EvaluationStatus.SIGNING
    evaluation.save(update_fields=["status"])
    _bump(evaluation)
    audit_record(
        actor=actor,
        action="evaluation.signed",
        subject=evaluation,
        changes={"role": role, "department": department.name if department else "", "status": evaluation.status},
    )
    return signature


@transaction.atomic
def evaluation_delete_draft(*, actor: Any, evaluation: Evaluation, version: int | None) -> None:
    _require(actor, CONDUCT)
    evaluation = _locked_unsigned(evaluation, version)
    audit_record(actor=actor, action="evaluation.deleted", subject=evaluation)
    evaluation.delete()
