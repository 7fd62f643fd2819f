"""Cases API: queues, intake, the case page and one POST per step of the closed loop.

Every endpoint parses, resolves ids to objects (an unknown id answers 400 naming the field),
calls one service or selector and returns. A case outside what the caller may see answers 404.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import field_validator

from kefu.accounts.models import Department, User
from kefu.api.pagination import BoundedPageNumberPagination, counted_by
from kefu.api.schemas import ErrorOut
from kefu.core.presentation import describe
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.customers.filters import MAX_ID
from kefu.customers.models import Contact, Customer
from kefu.tickets import selectors, services
from kefu.tickets.choices import (
    CaseChannel,
    CaseKind,
    CaseStatus,
    ComplaintNature,
    Satisfaction,
    Severity,
    SolutionKind,
)
from kefu.tickets.configuration import active_categories
from kefu.tickets.models import (
    Attachment,
    Case,
    CaseClock,
    CaseMessage,
    Category,
    ServiceRequestType,
    SlaPolicy,
    Solution,
)

router = Router(tags=["cases"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}

Id = Field(None, ge=1, le=MAX_ID)
Queue = Literal["mine", "department", "unassigned", "breaching", "approval", "waiting", "open", "all"]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


# --- shapes ---------------------------------------------------------------------------------------


class CaseFilters(Schema):
    """Query parameters of a case queue; an empty value means "any"."""

    queue: Queue = "open"
    q: str = Field("", max_length=100, description="Keywords (Chinese works): number, title, description, customer")
    kind: CaseKind | None = None
    status: CaseStatus | None = None
    severity: Severity | None = None
    channel: CaseChannel | None = None
    department_id: int | None = Id
    category_id: int | None = Id
    customer_id: int | None = Id

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_any(cls, value: object) -> object:
        return None if value == "" else value


class CaseOut(Schema):
    id: int
    number: str
    kind: str
    nature: str
    status: str
    severity: str
    priority: int
    title: str
    channel: str
    customer_id: int | None
    category_id: int | None
    department_id: int | None
    assignee_id: int | None
    escalation_level: int
    waiting_for_customer: bool
    received_at: dt.datetime
    next_due: dt.datetime | None = Field(None, alias="next_due_at")
    version: int


class ClockOut(Schema):
    metric: str
    started_at: dt.datetime
    due_at: dt.datetime
    paused_at: dt.datetime | None
    stopped_at: dt.datetime | None
    breached_at: dt.datetime | None
    escalations: int
    state: Literal["running", "paused", "overdue", "met", "late"]
    breached: bool


class SolutionOut(Schema):
    id: int
    kind: str
    description: str
    compensation_amount: Decimal | None
    status: str
    proposed_by_id: int
    proposed_at: dt.datetime
    decided_by_id: int | None
    decided_at: dt.datetime | None


class TimelineOut(Schema):
    occurred_at: dt.datetime
    actor: str
    action: str
    label: str
    changes: dict[str, Any]
    lines: list[str]


class MessageOut(Schema):
    id: int
    direction: str
    channel: str
    sender: str
    subject: str
    body: str
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_by_id: int | None
    uploaded_at: dt.datetime


class CaseDetailOut(CaseOut):
    description: str
    category_id: int | None
    request_type_id: int | None
    extra: dict[str, Any]
    contact_id: int | None
    caller_name: str
    caller_email: str
    order_number: str
    received_by_id: int | None
    priority_overridden: bool
    judgement_note: str
    expected_answer_at: dt.datetime | None
    cause: str
    responsible_department_id: int | None
    responsible_person_id: int | None
    investigation_notes: str
    penalty: str
    reopen_count: int
    appeal_count: int
    resolved_at: dt.datetime | None
    satisfaction: str
    follow_up_note: str
    root_cause: str
    lesson: str
    for_case_library: bool
    closed_at: dt.datetime | None
    updated_at: dt.datetime
    clocks: list[ClockOut]
    solutions: list[SolutionOut]
    messages: list[MessageOut]
    attachments: list[AttachmentOut]
    timeline: list[TimelineOut]


class CaseIn(Schema):
    kind: CaseKind
    nature: ComplaintNature | None = Field(None, description="soft or hard; complaints only")
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=20_000)
    channel: CaseChannel = CaseChannel.API
    severity: Severity = Severity.NORMAL
    customer_id: int | None = Id
    contact_id: int | None = Id
    category_id: int | None = Id
    request_type_id: int | None = Id
    extra: dict[str, Any] = Field(default_factory=dict, description="A service request's extra fields by name")
    caller_name: str = Field("", max_length=60)
    caller_phone: str = Field("", max_length=20)
    caller_email: str = Field("", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")
    order_number: str = Field("", max_length=40)


class JudgeIn(Schema):
    valid: bool
    note: str = Field(..., max_length=5000, description="Judgement, or the explanation the customer receives")
    department_id: int | None = Id
    assignee_id: int | None = Id
    expected_answer_at: dt.datetime | None = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=5000)


class AcceptIn(Schema):
    assignee_id: int | None = Id


class InvestigateIn(Schema):
    cause: str = Field(..., max_length=5000)
    responsible_department_id: int | None = Id
    responsible_person_id: int | None = Id
    investigation_notes: str = Field("", max_length=20_000)


class SolutionIn(Schema):
    kind: SolutionKind
    description: str = Field(..., max_length=5000)
    compensation_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ImplementIn(Schema):
    note: str = Field(..., max_length=5000)
    penalty: str = Field("", max_length=5000)


class ConfirmIn(Schema):
    accepted: bool
    note: str = Field("", max_length=5000)


class FollowUpIn(Schema):
    satisfaction: Satisfaction
    note: str = Field("", max_length=5000)


class CloseIn(Schema):
    root_cause: str = Field(..., max_length=5000)
    lesson: str = Field(..., max_length=5000)
    for_case_library: bool = False


class WaitIn(Schema):
    waiting: bool
    note: str = Field("", max_length=5000)


class AssignIn(Schema):
    assignee_id: int | None = Field(..., ge=1, le=MAX_ID, description="null to unassign")


class MatchCustomerIn(Schema):
    customer_id: int = Field(..., ge=1, le=MAX_ID)
    contact_id: int | None = Id


class MessageIn(Schema):
    direction: CaseMessage.Direction
    body: str = Field(..., min_length=1, max_length=50_000)
    channel: CaseChannel = CaseChannel.API
    sender: str = Field("", max_length=254)
    subject: str = Field("", max_length=200)


class CategoryOut(Schema):
    id: int
    parent_id: int | None
    code: str
    name: str
    default_department_id: int | None
    position: int
    is_active: bool


class SlaTargetOut(Schema):
    metric: str
    severity: str
    minutes: int
    round_the_clock: bool


class SlaPolicyOut(Schema):
    id: int
    name: str
    kind: str
    nature: str
    category_id: int | None
    severity: str
    customer_grade: str
    calendar_id: int | None
    round_the_clock: bool
    warning_minutes: int
    escalation_interval_minutes: int
    is_active: bool
    targets: list[SlaTargetOut]


# --- helpers --------------------------------------------------------------------------------------


def _get(model: Any, pk: int | None, field: str, **conditions: Any) -> Any:
    """The row `pk` of `model`, None for no id, a 400 naming `field` for an unknown one."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk, **conditions).first()
    if found is None:
        raise _unknown(model, pk, field)
    return found


def _unknown(model: Any, pk: int, field: str) -> DomainError:
    return DomainError(f"no {model._meta.verbose_name} {pk}", field=field)


def _user(pk: int | None, field: str) -> User | None:
    return _get(User, pk, field, is_active=True)  # type: ignore[no-any-return]


def _department(pk: int | None, field: str) -> Department | None:
    return _get(Department, pk, field)  # type: ignore[no-any-return]


def _case(request: HttpRequest, pk: int) -> Case:
    case = selectors.case_get(user=request.user, pk=pk)
    if case is None:
        raise Http404("No such case, or it is outside what you may see.")
    return case


def _clock_out(clock: CaseClock, now: dt.datetime) -> dict[str, Any]:
    state = selectors.clock_state(clock, now)
    return {
        **{name: getattr(clock, name) for name in ClockOut.model_fields if name not in ("state", "breached")},
        "state": state,
        "breached": clock.breached_at is not None or state in ("overdue", "late"),
    }


def _detail(request: HttpRequest, pk: int, fallback: Case | None = None) -> dict[str, Any]:
    """The case page as data; `fallback` when a step just took the case out of the caller's sight."""
    case = selectors.case_get(user=request.user, pk=pk) or fallback
    if case is None:
        raise Http404("No such case, or it is outside what you may see.")
    return _case_data(case)


def _case_data(case: Case, receipt: services.Receipt | None = None) -> dict[str, Any]:
    """The case as data; from the `receipt` of a case just received: its clocks and timeline as
    created, and no solutions or files yet (nothing to read back)."""
    now = timezone.now()
    clocks = sorted(receipt.clocks if receipt else case.clocks.all(), key=lambda c: c.due_at)
    base = {name: getattr(case, name) for name in CaseDetailOut.model_fields if hasattr(case, name)}
    timeline = []
    for event in receipt.timeline if receipt else selectors.case_timeline(case):
        entry = describe(event)
        timeline.append(
            {
                "occurred_at": event.occurred_at,
                "actor": event.actor_label,
                "action": event.action,
                "label": entry.action_label,
                "changes": event.changes or {},
                "lines": entry.change_lines,
            }
        )
    return {
        **base,
        "next_due_at": case.next_due_at,
        "clocks": [_clock_out(c, now) for c in clocks],
        "solutions": [] if receipt else list(case.solutions.all()),
        "messages": list(case.messages.all()),
        "attachments": [] if receipt else list(case.attachments.all()),
        "timeline": timeline,
    }


def _step(request: HttpRequest, pk: int, run: Any) -> dict[str, Any]:
    """Run one loop step on a visible case and answer with the case as it is now."""
    updated = run(_case(request, pk))
    return _detail(request, pk, fallback=updated if isinstance(updated, Case) else None)


# --- reading --------------------------------------------------------------------------------------


@router.get("", response=list[CaseOut], summary="A work queue of cases")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """Cases you may see, sorted by the earliest running deadline (cases without one last)."""
    data = filters.dict()
    cases, counted = selectors.case_queue_counted(
        user=request.user, queue=data.pop("queue"), q=data.pop("q").strip(), **data
    )
    return counted_by(cases.select_related(None), counted)  # the list shows ids only: no joins


@router.get("/categories", response=list[CategoryOut], summary="The category tree")
def list_categories(request: HttpRequest) -> Any:
    return Category.objects.order_by("position", "code")


@router.get("/sla-policies", response=list[SlaPolicyOut], summary="SLA policies and their time limits")
def list_sla_policies(request: HttpRequest) -> Any:
    return SlaPolicy.objects.prefetch_related("targets")


class CaseBatchIn(Schema):
    cases: list[CaseIn] = Field(..., min_length=1, max_length=services.INTAKE_BATCH_MAX)


class CaseReceivedOut(CaseOut):
    tracking_code: str


class CaseBatchOut(Schema):
    cases: list[CaseReceivedOut]


class ItemErrorOut(Schema):
    index: int = Field(..., description="Position of the refused case in the batch, from 0")
    field: str | None
    detail: str


class BatchErrorOut(ErrorOut):
    errors: list[ItemErrorOut]


# Before "/{pk}", which would take "batch" for an id.
@router.post(
    "/batch",
    response={201: CaseBatchOut, 400: BatchErrorOut, 403: ErrorOut},
    summary="Receive a batch of cases (批量受理)",
)
def create_cases(request: HttpRequest, payload: CaseBatchIn) -> Any:
    """Up to 100 cases in one call, each received as by POST /cases (numbers, clocks, the customer
    told): all or none. A refused batch answers 400 with `errors`, one entry per refused case."""
    items, refused = _resolve_cases(payload.cases)
    unresolved = {index for index, _error in refused}
    refused += [
        (index, error)
        for index, error in services.intake_refusals(items)
        if index not in unresolved  # a case whose ids are unknown is refused for that alone
    ]
    if refused:
        raise services.IntakeBatchRefused(sorted(refused, key=lambda r: r[0]), len(items))
    receipts = services.cases_intake_many(actor=request.user, items=items)
    return Status(201, {"cases": [receipt.case for receipt in receipts]})


def _resolve_cases(cases: list[CaseIn]) -> tuple[list[dict[str, Any]], list[tuple[int, DomainError]]]:
    """The cases' ids as objects, one read per kind of record (the category from the per-process
    cache); an unknown, inactive or retired one refuses its case."""
    found: dict[str, tuple[Any, dict[int, Any]]] = {
        "customer": (Customer, Customer.objects.in_bulk({c.customer_id for c in cases if c.customer_id})),
        "contact": (Contact, Contact.objects.in_bulk({c.contact_id for c in cases if c.contact_id})),
        "request_type": (
            ServiceRequestType,
            ServiceRequestType.objects.filter(is_active=True).in_bulk(
                {c.request_type_id for c in cases if c.request_type_id}
            ),
        ),
        "category": (Category, active_categories.get()),
    }
    items, refused = [], []
    for index, case in enumerate(cases):
        data = case.dict(exclude={f"{name}_id" for name in found})
        data["nature"] = data["nature"] or ""
        for name, (model, objects) in found.items():
            pk = getattr(case, f"{name}_id")
            data[name] = objects.get(pk) if pk else None
            if pk and data[name] is None:
                refused.append((index, _unknown(model, pk, f"{name}_id")))
        items.append(data)
    return items, refused


@router.get("/{pk}", response={200: CaseDetailOut, **ERRORS}, summary="Read one case")
def get_case(request: HttpRequest, pk: int) -> Any:
    """Everything on the case page: clocks with due times, solutions, messages, files and the timeline."""
    return _detail(request, _case(request, pk).pk)


# --- intake ---------------------------------------------------------------------------------------


@router.post("", response={201: CaseDetailOut, **ERRORS}, summary="Receive a case (受理登记)")
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    (data,), refused = _resolve_cases([payload])
    if refused:
        raise refused[0][1]
    receipt = services.case_intake(actor=request.user, data=data)
    return Status(201, _case_data(receipt.case, receipt))  # its receiver always sees it: no visibility read


# --- the loop -------------------------------------------------------------------------------------


@router.post("/{pk}/judge", response={200: CaseDetailOut, **ERRORS}, summary="Judge (判断)")
def judge_case(request: HttpRequest, pk: int, payload: JudgeIn) -> Any:
    """valid=false closes the case as not valid with `note` as the explanation sent to the customer."""
    department = _department(payload.department_id, "department_id")
    assignee = _user(payload.assignee_id, "assignee_id")
    return _step(
        request,
        pk,
        lambda case: services.case_judge(
            actor=request.user,
            case=case,
            valid=payload.valid,
            note=payload.note,
            department=department,
            assignee=assignee,
            expected_answer_at=_aware(payload.expected_answer_at),
        ),
    )


@router.post("/{pk}/object", response={200: CaseDetailOut, **ERRORS}, summary="Customer objects to 不成立")
def object_case(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return _step(request, pk, lambda case: services.case_object(actor=request.user, case=case, reason=payload.reason))


@router.post("/{pk}/accept", response={200: CaseDetailOut, **ERRORS}, summary="Department accepts (接单)")
def accept_case(request: HttpRequest, pk: int, payload: AcceptIn) -> Any:
    assignee = _user(payload.assignee_id, "assignee_id")
    return _step(request, pk, lambda case: services.case_accept(actor=request.user, case=case, assignee=assignee))


@router.post("/{pk}/bounce", response={200: CaseDetailOut, **ERRORS}, summary="Department sends the case back")
def bounce_case(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return _step(request, pk, lambda case: services.case_bounce(actor=request.user, case=case, reason=payload.reason))


@router.post("/{pk}/investigate", response={200: CaseDetailOut, **ERRORS}, summary="Record the investigation (调查)")
def investigate_case(request: HttpRequest, pk: int, payload: InvestigateIn) -> Any:
    data: dict[str, Any] = {"cause": payload.cause, "investigation_notes": payload.investigation_notes}
    if "responsible_department_id" in payload.model_fields_set:
        data["responsible_department"] = _department(payload.responsible_department_id, "responsible_department_id")
    if "responsible_person_id" in payload.model_fields_set:
        data["responsible_person"] = _user(payload.responsible_person_id, "responsible_person_id")
    return _step(request, pk, lambda case: services.case_investigate(actor=request.user, case=case, data=data))


@router.post("/{pk}/solutions", response={201: SolutionOut, **ERRORS}, summary="Propose a solution (处理方案)")
def propose_solution(request: HttpRequest, pk: int, payload: SolutionIn) -> Any:
    solution = services.solution_propose(
        actor=request.user,
        case=_case(request, pk),
        kind=payload.kind,
        description=payload.description,
        compensation_amount=payload.compensation_amount,
    )
    return Status(201, solution)


@router.post("/{pk}/solutions/{sid}/approve", response={200: SolutionOut, **ERRORS}, summary="Approve a solution")
def approve_solution(request: HttpRequest, pk: int, sid: int) -> Any:
    """Large compensation needs an approver high enough in the chain (403 otherwise)."""
    solution = Solution.objects.filter(pk=sid, case=_case(request, pk)).first()
    if solution is None:
        raise Http404("No such solution on this case.")
    return services.solution_approve(actor=request.user, solution=solution)


@router.post("/{pk}/implement", response={200: CaseDetailOut, **ERRORS}, summary="Solution carried out (实施)")
def implement_case(request: HttpRequest, pk: int, payload: ImplementIn) -> Any:
    return _step(
        request,
        pk,
        lambda case: services.case_implement(actor=request.user, case=case, note=payload.note, penalty=payload.penalty),
    )


@router.post("/{pk}/confirm", response={200: CaseDetailOut, **ERRORS}, summary="Customer accepts or rejects")
def confirm_case(request: HttpRequest, pk: int, payload: ConfirmIn) -> Any:
    return _step(
        request,
        pk,
        lambda case: services.case_confirm(actor=request.user, case=case, accepted=payload.accepted, note=payload.note),
    )


@router.post("/{pk}/follow-up", response={200: CaseDetailOut, **ERRORS}, summary="Follow-up call (回访)")
def follow_up_case(request: HttpRequest, pk: int, payload: FollowUpIn) -> Any:
    return _step(
        request,
        pk,
        lambda case: services.case_follow_up(
            actor=request.user, case=case, satisfaction=payload.satisfaction, note=payload.note
        ),
    )


@router.post("/{pk}/close", response={200: CaseDetailOut, **ERRORS}, summary="Close with a summary (结案)")
def close_case(request: HttpRequest, pk: int, payload: CloseIn) -> Any:
    return _step(
        request,
        pk,
        lambda case: services.case_close(
            actor=request.user,
            case=case,
            root_cause=payload.root_cause,
            lesson=payload.lesson,
            for_case_library=payload.for_case_library,
        ),
    )


@router.post("/{pk}/appeal", response={200: CaseDetailOut, **ERRORS}, summary="Customer appeals (上诉)")
def appeal_case(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return _step(request, pk, lambda case: services.case_appeal(actor=request.user, case=case, reason=payload.reason))


@router.post("/{pk}/wait", response={200: CaseDetailOut, **ERRORS}, summary="Wait for the customer, or resume")
def wait_case(request: HttpRequest, pk: int, payload: WaitIn) -> Any:
    """waiting=true pauses every running clock; waiting=false resumes them with the time that was left."""
    return _step(
        request,
        pk,
        lambda case: services.case_wait_for_customer(
            actor=request.user, case=case, waiting=payload.waiting, note=payload.note
        ),
    )


@router.post("/{pk}/assign", response={200: CaseDetailOut, **ERRORS}, summary="Change the assignee")
def assign_case(request: HttpRequest, pk: int, payload: AssignIn) -> Any:
    assignee = _user(payload.assignee_id, "assignee_id")
    return _step(request, pk, lambda case: services.case_assign(actor=request.user, case=case, assignee=assignee))


@router.post("/{pk}/match-customer", response={200: CaseDetailOut, **ERRORS}, summary="Match the caller")
def match_customer(request: HttpRequest, pk: int, payload: MatchCustomerIn) -> Any:
    """An unknown caller turns out to be a customer in the archive."""
    customer = _get(Customer, payload.customer_id, "customer_id")
    contact = _get(Contact, payload.contact_id, "contact_id")
    return _step(
        request,
        pk,
        lambda case: services.case_match_customer(actor=request.user, case=case, customer=customer, contact=contact),
    )


@router.post("/{pk}/messages", response={201: MessageOut, **ERRORS}, summary="Record a message with the customer")
def add_message(request: HttpRequest, pk: int, payload: MessageIn) -> Any:
    """An inbound message ends a wait for the customer."""
    case = _case(request, pk)
    if not request.user.has_perm("tickets.work_case", case):
        raise PermissionDeniedError()
    message = services.case_add_message(
        actor=request.user,
        case=case,
        direction=payload.direction,
        channel=payload.channel,
        body=payload.body,
        sender=payload.sender,
        subject=payload.subject,
    )
    return Status(201, message)


@router.post("/{pk}/attachments", response={201: AttachmentOut, **ERRORS}, summary="Attach a photo or file")
def add_attachment(request: HttpRequest, pk: int, file: File[UploadedFile]) -> Any:
    """multipart/form-data with one `file`: photos, PDF, text, Excel or Word, at most 10 MB, 20 per case."""
    attachment: Attachment = services.attachment_add(actor=request.user, case=_case(request, pk), upload=file)
    return Status(201, attachment)
