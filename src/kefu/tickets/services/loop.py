"""The closed loop 受理 → 判断 → 接单 → 调查 → 方案 → 实施 → 确认 → 回访 → 结案, one function per step.

Each step checks the actor's permission and the current status, changes the case in one
transaction, starts or stops the SLA clocks it concerns, writes its audit event (the case
timeline) and publishes its domain event. actor=None is the system itself (portal, e-mail
intake, the sweep)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.crypto import lookup_hash
from kefu.core.models import AuditEvent
from kefu.core.selectors import subject_key
from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    audit_batch,
    audit_record,
    bulk_insert,
    numbers_next,
    search_index_bulk,
)
from kefu.customers.services import customers_record_complaints
from kefu.tickets import sla
from kefu.tickets.choices import (
    NUMBER_PREFIX,
    CaseKind,
    CaseStatus,
    ComplaintNature,
    EscalationLevel,
    Metric,
    Priority,
    Satisfaction,
    Severity,
    SolutionStatus,
)
from kefu.tickets.models import (
    ApprovalThreshold,
    Case,
    CaseClock,
    Solution,
)
from kefu.tickets.request_fields import clean_extra
from kefu.tickets.rules import management_level
from kefu.tickets.services._base import (
    CLOCKS_AT_RECEIPT,
    DEFAULT_CLOCKS_AT_RECEIPT,
    SEARCH_KIND,
    _grade_of,
    _locked,
    _plan_clocks,
    _require,
    _require_status,
    _save,
    _search_text,
    _spec_for,
    _start_clocks,
    _stop_clocks,
    derive_priority,
)

# --- the loop -------------------------------------------------------------------------------------

CASE_INPUT_FIELDS = (
    "kind",
    "nature",
    "category",
    "request_type",
    "extra",
    "severity",
    "title",
    "description",
    "channel",
    "customer",
    "contact",
    "caller_name",
    "caller_phone",
    "caller_email",
    "order_number",
)


def _validate_input(data: Mapping[str, Any]) -> None:
    unknown = set(data) - set(CASE_INPUT_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    if data.get("kind") not in CaseKind.values:
        raise DomainError(_("Choose the type of case."), field="kind")
    if data.get("kind") == CaseKind.COMPLAINT and data.get("nature") not in ComplaintNature.values:
        raise DomainError(_("Say whether the complaint is soft or hard."), field="nature")
    if data.get("kind") != CaseKind.COMPLAINT and data.get("nature"):
        raise DomainError(_("Only complaints are soft or hard."), field="nature")
    if not str(data.get("title", "")).strip():
        raise DomainError(_("Give the case a title."), field="title")
    if not str(data.get("description", "")).strip():
        raise DomainError(_("Describe what the customer reports."), field="description")
    contact = data.get("contact")
    if contact is not None and contact.customer_id != getattr(data.get("customer"), "pk", None):
        raise DomainError(_("The contact belongs to another customer."), field="contact")
    if data.get("customer") is None and not (data.get("caller_name") or data.get("caller_phone")):
        raise DomainError(_("Name the customer, or at least the caller's name or phone."), field="customer")
    request_type = data.get("request_type")
    if request_type is not None and data.get("kind") != CaseKind.SERVICE_REQUEST:
        raise DomainError(_("Only service requests have a request type."), field="request_type")


@dataclass(frozen=True)
class Receipt:
    """A case just received, with what receiving it created: whoever answers with the case (the API's
    201 body) has its clocks and timeline without reading them back."""

    case: Case
    clocks: list[CaseClock]
    timeline: list[AuditEvent]  # newest first, as `case_timeline` reads it


def case_intake(*, actor: Any, data: Mapping[str, Any], received_at: dt.datetime | None = None) -> Receipt:
    """受理登记: record who, when, what and through which channel; start the clocks; tell the customer.

    The number is taken before the receipt's transaction (inside it when the caller already has
    one): the day's counter row is then locked for its one UPDATE, not for the whole receipt, so
    concurrent intakes do not wait for each other. A receipt failing after that leaves a gap."""
    _require(actor, "tickets.add_case")
    _validate_input(data)
    return _intake(actor, [data], received_at or timezone.now())[0]


def case_receive(*, actor: Any, data: Mapping[str, Any], received_at: dt.datetime | None = None) -> Case:
    """受理登记 (see `case_intake`), for callers that need only the case."""
    return case_intake(actor=actor, data=data, received_at=received_at).case


INTAKE_BATCH_MAX = 100


class IntakeBatchRefused(DomainError):
    """Some cases of a batch are refused, so none was received: `refused` names each, by position."""

    def __init__(self, refused: list[tuple[int, DomainError]], total: int) -> None:
        super().__init__(
            _("%(refused)d of %(total)d cases are refused; none was received. Correct them and send the batch again.")
            % {"refused": len(refused), "total": total},
            field="cases",
        )
        self.refused = refused


def cases_intake_many(
    *, actor: Any, items: Sequence[Mapping[str, Any]], received_at: dt.datetime | None = None
) -> list[Receipt]:
    """受理登记 of a batch of cases (an order system or a call-centre platform handing over what it
    took), all or none, in the order given: every case as `case_intake` receives it, with a few
    set-based statements for the whole batch instead of a dozen for each case."""
    _require(actor, "tickets.add_case")
    if not 1 <= len(items) <= INTAKE_BATCH_MAX:
        raise DomainError(_("Send between 1 and %(max)d cases at a time.") % {"max": INTAKE_BATCH_MAX}, field="cases")
    refused = intake_refusals(items)
    if refused:
        raise IntakeBatchRefused(refused, len(items))
    return _intake(actor, items, received_at or timezone.now())


def intake_refusals(items: Sequence[Mapping[str, Any]]) -> list[tuple[int, DomainError]]:
    """What refuses each case of a batch, by position (empty when all may be received)."""
    refused = []
    for index, data in enumerate(items):
        try:
            _validate_input(data)
        except DomainError as exc:
            refused.append((index, exc))
    return refused


def _intake(actor: Any, items: Sequence[Mapping[str, Any]], at: dt.datetime) -> list[Receipt]:
    numbers = _numbers_for(items, at)
    with transaction.atomic(), audit_batch() as written:  # the cases, their customers, their e-mails: one INSERT
        received = _receive(actor, items, at, numbers)
    timelines: dict[Any, list[AuditEvent]] = defaultdict(list)
    for event in reversed(written):
        timelines[(event.subject_type, event.subject_id)].append(event)
    return [Receipt(case, clocks, timelines[subject_key(case)]) for case, clocks in received]


def _numbers_for(items: Sequence[Mapping[str, Any]], at: dt.datetime) -> list[str]:
    """A number for each case, in order: one counter statement per kind of case in the batch."""
    prefixes = [NUMBER_PREFIX[CaseKind(data["kind"])] for data in items]
    taken = {
        prefix: iter(numbers_next(prefix=prefix, day=timezone.localdate(at), count=count))
        for prefix, count in Counter(prefixes).items()
    }
    return [next(taken[prefix]) for prefix in prefixes]


def _receive(
    actor: Any, items: Sequence[Mapping[str, Any]], at: dt.datetime, numbers: Sequence[str]
) -> list[tuple[Case, list[CaseClock]]]:
    received = [_new_case(actor, data, at, number) for data, number in zip(items, numbers, strict=True)]
    cases = [case for case, _clocks in received]
    bulk_insert(cases)
    bulk_insert([clock for _case, clocks in received for clock in clocks])
    search_index_bulk(kind=SEARCH_KIND, texts=[(case.pk, _search_text(case)) for case in cases])
    for case in cases:
        audit_record(
            actor=actor,
            action="tickets.case.received",
            subject=case,
            # Keys in the order PostgreSQL's jsonb keeps them (shorter first): the 201 body built from this
            # event lists its lines as a later read of the timeline does.
            changes={"kind": case.kind, "channel": case.channel, "severity": case.severity},
        )
    complaints = [(c.customer, c.number) for c in cases if c.customer is not None and c.kind == CaseKind.COMPLAINT]
    if complaints:
        customers_record_complaints(complaints=complaints, at=at)
    events.publish_many("tickets.case.received", [{"case": case, "actor": actor} for case in cases])
    return received


def _new_case(actor: Any, data: Mapping[str, Any], at: dt.datetime, number: str) -> tuple[Case, list[CaseClock]]:
    """The case as received, with the clocks it starts (both unsaved)."""
    case = Case(**{k: v for k, v in data.items()}, received_at=at, received_by=actor)
    case.team_id = case.customer.team_id if case.customer else None
    case.extra = clean_extra(case.request_type.fields, dict(data.get("extra") or {})) if case.request_type else {}
    case.nature = case.nature or ""
    case.caller_phone_hash = lookup_hash(case.caller_phone or "")
    case.priority = derive_priority(severity=case.severity, customer_grade=_grade_of(case), kind=case.kind)
    if case.severity == Severity.MAJOR:
        case.escalation_level = case.escalation_base = EscalationLevel.MANAGER  # 重大: the director at once
    case.number = number
    case.tracking_code = secrets.token_urlsafe(16)
    if case.category_id and case.category and case.category.default_department_id and not case.department_id:
        case.department_id = case.category.default_department_id
    case.search_text = _search_text(case).lower()
    clocks = _plan_clocks(case, CLOCKS_AT_RECEIPT.get((case.kind, case.nature), DEFAULT_CLOCKS_AT_RECEIPT), at)
    case.next_due_at = min((c.due_at for c in clocks if c.paused_at is None), default=None)
    return case, clocks


@transaction.atomic
def case_judge(
    *,
    actor: Any,
    case: Case,
    valid: bool,
    note: str,
    department: Any = None,
    assignee: Any = None,
    expected_answer_at: dt.datetime | None = None,
) -> Case:
    """判断: not valid → a courteous explanation and the case closes as 不成立;
    valid → the responsible department (and person) and when the customer can expect an answer."""
    _require(actor, "tickets.judge_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.RECEIVED)
    if not note.strip():
        raise DomainError(
            _("Write the explanation the customer receives.") if not valid else _("Write your judgement."),
            field="note",
        )
    now = timezone.now()
    case.judgement_note = note.strip()
    _stop_clocks(case, (Metric.REPORT_TO_SUPERVISOR, Metric.FIRST_RESPONSE, Metric.VERIFICATION), now)
    if not valid:
        case.status = CaseStatus.INVALID
        case.waiting_for_customer = False
        case.closed_at = now
        _stop_clocks(case, Metric.values, now)
        _save(case, "judged_invalid", actor, {"note": case.judgement_note})
        return case
    department = department or case.department
    if department is None:
        raise DomainError(_("Choose the responsible department."), field="department")
    if assignee is not None and assignee.department_id != department.pk:
        raise DomainError(_("The assignee is not in the responsible department."), field="assignee")
    case.department = department
    case.assignee = assignee
    case.expected_answer_at = expected_answer_at
    case.status = CaseStatus.ASSIGNED
    _start_clocks(case, (Metric.DEPARTMENT_ACCEPT,), now)
    _save(
        case,
        "judged_valid",
        actor,
        {"department": str(department), "assignee": str(assignee or ""), "note": case.judgement_note},
    )
    return case


@transaction.atomic
def case_object(*, actor: Any, case: Case, reason: str) -> Case:
    """The customer objects to 不成立: the case reopens for the supervisor to judge again."""
    _require(actor, "tickets.record_customer", case)
    case = _locked(case)
    _require_status(case, CaseStatus.INVALID)
    if not reason.strip():
        raise DomainError(_("Record what the customer objects."), field="reason")
    case.status = CaseStatus.RECEIVED
    case.closed_at = None
    case.reopen_count += 1
    case.escalation_base = max(case.escalation_base, EscalationLevel.SUPERVISOR)
    case.escalation_level = max(case.escalation_level, case.escalation_base)
    # The judgement starts again: so do its clocks (the audit trail keeps the first round).
    restarted = (Metric.FIRST_RESPONSE, Metric.RESOLUTION)
    CaseClock.objects.filter(case=case, metric__in=restarted).delete()
    _start_clocks(case, restarted, timezone.now())
    _save(case, "objected", actor, {"reason": reason.strip()})
    return case


@transaction.atomic
def case_accept(*, actor: Any, case: Case, assignee: Any = None) -> Case:
    """接单: the responsible department takes the case on."""
    _require(actor, "tickets.accept_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.ASSIGNED)
    case.assignee = assignee or case.assignee or actor
    case.status = CaseStatus.INVESTIGATING
    _stop_clocks(case, (Metric.DEPARTMENT_ACCEPT,), timezone.now())
    _save(case, "accepted", actor, {"assignee": str(case.assignee or "")})
    return case


@transaction.atomic
def case_bounce(*, actor: Any, case: Case, reason: str) -> Case:
    """The department sends the case back to customer service, saying why."""
    _require(actor, "tickets.accept_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.ASSIGNED)
    if not reason.strip():
        raise DomainError(_("Say why the case is not for your department."), field="reason")
    department = case.department
    case.status = CaseStatus.RECEIVED
    case.department = None
    case.assignee = None
    CaseClock.objects.filter(case=case, metric=Metric.DEPARTMENT_ACCEPT).delete()
    _save(case, "bounced", actor, {"department": str(department or ""), "reason": reason.strip()})
    return case


INVESTIGATION_FIELDS = ("cause", "responsible_department", "responsible_person", "investigation_notes")


@transaction.atomic
def case_investigate(*, actor: Any, case: Case, data: Mapping[str, Any]) -> Case:
    """调查: record the cause and who is responsible (production/quality → that department; service → CS)."""
    _require(actor, "tickets.work_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.INVESTIGATING)
    unknown = set(data) - set(INVESTIGATION_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    if "cause" in data and not str(data["cause"]).strip():
        raise DomainError(_("Describe the cause."), field="cause")
    changes = {}
    for name, value in data.items():
        if getattr(case, name) != value:
            changes[name] = str(value or "")
            setattr(case, name, value)
    _stop_clocks(case, (Metric.SECOND_RESPONSE,), timezone.now())
    _save(case, "investigated", actor, changes)
    return case


@transaction.atomic
def solution_propose(
    *, actor: Any, case: Case, kind: str, description: str, compensation_amount: Decimal | None = None
) -> Solution:
    """处理方案: one proposal; several may be made before the approver chooses."""
    _require(actor, "tickets.work_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.INVESTIGATING, CaseStatus.AWAITING_APPROVAL)
    if not description.strip():
        raise DomainError(_("Describe the solution."), field="description")
    if compensation_amount is not None and compensation_amount < 0:
        raise DomainError(_("Compensation cannot be negative."), field="compensation_amount")
    if not case.cause.strip():
        raise DomainError(_("Record the cause of the case before proposing a solution."), field="cause")
    solution = Solution.objects.create(
        case=case,
        kind=kind,
        description=description.strip(),
        compensation_amount=compensation_amount,
        proposed_by=actor,
    )
    case.status = CaseStatus.AWAITING_APPROVAL
    _stop_clocks(case, (Metric.SECOND_RESPONSE,), timezone.now())
    _save(case, "solution_proposed", actor, {"solution": str(solution), "amount": str(compensation_amount or "")})
    return solution


def required_approval_level(amount: Decimal | None) -> int:
    """The lowest management level allowed to approve a compensation of `amount`."""
    level = int(EscalationLevel.SUPERVISOR)
    for threshold in ApprovalThreshold.objects.order_by("min_amount"):
        if amount is not None and amount >= threshold.min_amount:
            level = max(level, threshold.level)
    return level


@transaction.atomic
def solution_approve(*, actor: Any, solution: Solution) -> Solution:
    """The supervisor (or higher, for large compensation) picks the best proposal."""
    case = _locked(solution.case)
    _require(actor, "tickets.approve_solution", case)
    _require_status(case, CaseStatus.AWAITING_APPROVAL)
    solution.refresh_from_db(fields=["status"])
    if solution.status != SolutionStatus.PROPOSED:  # e.g. the one the customer rejected in an earlier round
        raise DomainError(_("Only a proposed solution can be approved."), field="solution", code="conflict")
    needed = required_approval_level(solution.compensation_amount)
    if actor is not None and management_level(actor) < needed:
        raise PermissionDeniedError(
            _("A compensation of %(amount)s needs approval by %(level)s or higher.")
            % {"amount": solution.compensation_amount, "level": EscalationLevel(needed).label}
        )
    now = timezone.now()
    Solution.objects.filter(case=case, status=SolutionStatus.PROPOSED).exclude(pk=solution.pk).update(
        status=SolutionStatus.NOT_CHOSEN, decided_by=actor, decided_at=now
    )
    solution.status = SolutionStatus.APPROVED
    solution.decided_by = actor
    solution.decided_at = now
    solution.save(update_fields=["status", "decided_by", "decided_at"])
    case.status = CaseStatus.IMPLEMENTING
    _save(case, "solution_approved", actor, {"solution": str(solution)})
    return solution


@transaction.atomic
def case_implement(*, actor: Any, case: Case, note: str, penalty: str = "") -> Case:
    """实施: the approved solution was carried out; penalties on the responsible party recorded."""
    _require(actor, "tickets.work_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.IMPLEMENTING)
    if not note.strip():
        raise DomainError(_("Record what was done."), field="note")
    case.penalty = penalty.strip()
    case.status = CaseStatus.AWAITING_CONFIRMATION
    _save(case, "implemented", actor, {"note": note.strip(), "penalty": case.penalty})
    return case


@transaction.atomic
def case_confirm(*, actor: Any, case: Case, accepted: bool, note: str = "") -> Case:
    """客户确认: accepted → resolved (thanks sent, follow-up clock starts); rejected → a new solution."""
    _require(actor, "tickets.record_customer", case)
    case = _locked(case)
    _require_status(case, CaseStatus.AWAITING_CONFIRMATION)
    now = timezone.now()
    if accepted:
        case.status = CaseStatus.RESOLVED
        case.resolved_at = now
        _stop_clocks(case, (Metric.RESOLUTION,), now)
        _start_clocks(case, (Metric.FOLLOW_UP,), now)
        _save(case, "confirmed", actor, {"note": note})
        return case
    if not note.strip():
        raise DomainError(_("Record why the customer rejects the solution."), field="note")
    Solution.objects.filter(case=case, status=SolutionStatus.APPROVED).update(status=SolutionStatus.REJECTED)
    case.status = CaseStatus.INVESTIGATING
    case.reopen_count += 1
    _save(case, "rejected_by_customer", actor, {"note": note.strip()})
    return case


@transaction.atomic
def case_follow_up(*, actor: Any, case: Case, satisfaction: str, note: str = "") -> Case:
    """回访: the call after resolution records the customer's satisfaction."""
    _require(actor, "tickets.record_customer", case)
    case = _locked(case)
    _require_status(case, CaseStatus.RESOLVED)
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Record how satisfied the customer is."), field="satisfaction")
    case.satisfaction = satisfaction
    case.follow_up_note = note.strip()
    case.status = CaseStatus.FOLLOWED_UP
    _stop_clocks(case, (Metric.FOLLOW_UP,), timezone.now())
    _save(case, "followed_up", actor, {"satisfaction": satisfaction, "note": case.follow_up_note})
    return case


@transaction.atomic
def case_close(*, actor: Any, case: Case, root_cause: str, lesson: str, for_case_library: bool = False) -> Case:
    """结案 with 总结评价: root cause, lesson, and whether it becomes a case-library entry."""
    _require(actor, "tickets.close_case", case)
    case = _locked(case)
    _require_status(case, CaseStatus.FOLLOWED_UP)
    if not root_cause.strip() or not lesson.strip():
        raise DomainError(
            _("Write the root cause and the lesson before closing."),
            field="root_cause" if not root_cause.strip() else "lesson",
        )
    case.root_cause, case.lesson, case.for_case_library = root_cause.strip(), lesson.strip(), for_case_library
    case.status = CaseStatus.CLOSED
    case.waiting_for_customer = False
    case.closed_at = timezone.now()
    _stop_clocks(case, Metric.values, case.closed_at)
    _save(case, "closed", actor, {"root_cause": case.root_cause, "lesson": case.lesson})
    return case


@transaction.atomic
def case_appeal(*, actor: Any, case: Case, reason: str) -> Case:
    """上诉: the customer is not satisfied with the result; the case goes one management level up."""
    _require(actor, "tickets.record_customer", case)
    case = _locked(case)
    _require_status(case, CaseStatus.RESOLVED, CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED)
    if not reason.strip():
        raise DomainError(_("Record why the customer appeals."), field="reason")
    case.status = CaseStatus.INVESTIGATING
    case.closed_at = None
    case.appeal_count += 1
    case.escalation_level = min(case.escalation_level + 1, EscalationLevel.GENERAL_MANAGER)
    case.escalation_base = case.escalation_level
    CaseClock.objects.filter(case=case, metric=Metric.FOLLOW_UP).delete()
    _save(case, "appealed", actor, {"reason": reason.strip(), "level": case.escalation_level})
    return case


@transaction.atomic
def case_wait_for_customer(*, actor: Any, case: Case, waiting: bool, note: str = "") -> Case:
    """Waiting for the customer pauses every running clock; the answer resumes them with the time left."""
    _require(actor, "tickets.work_case", case)
    case = _locked(case)
    if not case.is_open:
        raise DomainError(_("The case is closed."), field="status", code="conflict")
    if case.waiting_for_customer == waiting:
        return case
    now = timezone.now()
    case.waiting_for_customer = waiting
    running = CaseClock.objects.filter(case=case, stopped_at__isnull=True).select_related("policy")
    for clock in running:
        if waiting and clock.paused_at is None:
            clock.paused_at = now
            clock.save(update_fields=["paused_at"])
        elif not waiting and clock.paused_at is not None:
            target = sla.targets_for(clock.policy.targets.all(), case.severity).get(clock.metric)
            spec = None if target is not None and target.round_the_clock else _spec_for(clock.policy)
            left = sla.remaining(clock.paused_at, clock.due_at, spec)
            if left > dt.timedelta(0):
                clock.due_at = sla.due(now, max(int(left.total_seconds() // 60), 1), spec)
                clock.warn_at = max(now, clock.due_at - dt.timedelta(minutes=clock.policy.warning_minutes))
                clock.next_escalation_at = clock.due_at
            else:
                clock.next_escalation_at = now  # already late: the next sweep looks at it again
            clock.paused_at = None
            clock.save(update_fields=["due_at", "warn_at", "paused_at", "next_escalation_at"])
    _save(case, "waiting" if waiting else "resumed", actor, {"note": note})
    return case


@transaction.atomic
def case_set_priority(*, actor: Any, case: Case, priority: int, reason: str) -> Case:
    """Override the derived priority, saying why."""
    _require(actor, "tickets.judge_case", case)
    case = _locked(case)
    if priority not in Priority.values:
        raise DomainError(_("Unknown priority."), field="priority")
    if not reason.strip():
        raise DomainError(_("Say why the priority changes."), field="reason")
    before = case.priority
    case.priority, case.priority_overridden = priority, True
    _save(case, "priority_set", actor, {"priority": [before, priority], "reason": reason.strip()})
    return case


@transaction.atomic
def case_assign(*, actor: Any, case: Case, assignee: Any) -> Case:
    _require(actor, "tickets.judge_case", case)
    case = _locked(case)
    if not case.is_open:
        raise DomainError(_("The case is closed."), field="status", code="conflict")
    before = str(case.assignee or "")
    case.assignee = assignee
    _save(case, "assigned", actor, {"assignee": [before, str(assignee or "")]})
    return case
