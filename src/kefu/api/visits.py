"""Visits API: queues, one visit with its script, recording the outcome, one click to a case, coverage.

As thin as the pages: parse, call one service or selector, return. A visit outside what the caller
may see answers 404.
"""

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from kefu.api.pagination import BoundedPageNumberPagination
from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.customers.choices import Grade
from kefu.customers.filters import MAX_ID
from kefu.visits import selectors, services
from kefu.visits.choices import Method, Outcome, TaskStatus
from kefu.visits.models import VisitRule, VisitTask

router = Router(tags=["visits"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Queue = Literal["today", "overdue", "mine", "team", "open", "done", "all"]


class VisitFilters(Schema):
    queue: Queue = "today"
    q: str = Field("", max_length=100, description="Customer name or number (Chinese works)")
    method: Method | None = None
    status: TaskStatus | None = None
    outcome: Outcome | None = None
    grade: Grade | None = None
    rule_id: int | None = Field(None, ge=1, le=MAX_ID)

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_any(cls, value: object) -> object:
        return None if value == "" else value


class VisitOut(Schema):
    id: int
    rule_id: int
    rule_name: str
    customer_id: int
    customer_name: str
    contact_id: int | None
    method: str
    due_at: dt.datetime
    assignee_id: int | None
    team_id: int | None
    grade: str
    is_key: bool
    status: str
    outcome: str
    attempts: int
    case_id: int | None
    completed_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_rule_name(obj: Any) -> str:
        return str(obj.rule.name)

    @staticmethod
    def resolve_customer_name(obj: Any) -> str:
        return str(obj.customer.name)


class VisitDetailOut(VisitOut):
    script: str
    evaluation: str
    improvement: str
    suggestions: str
    complaints: str
    notes: str


class OutcomeIn(Schema):
    outcome: Outcome
    evaluation: str = Field("", max_length=5000)
    improvement: str = Field("", max_length=5000)
    suggestions: str = Field("", max_length=5000)
    complaints: str = Field("", max_length=5000)
    notes: str = Field("", max_length=5000)
    version: int | None = Field(None, ge=1, le=MAX_ID, description="The version you read; a stale one answers 409")


class CaseIn(Schema):
    kind: Literal["suggestion", "complaint"]


class CaseOut(Schema):
    case_id: int
    number: str


class GradeCoverageOut(Schema):
    grade: str
    planned: int
    done: int
    open: int
    unreachable: int
    done_pct: float | None


class CoverageOut(Schema):
    start: dt.date
    end: dt.date
    planned: int
    done: int
    grades: list[GradeCoverageOut]
    key_customers: int
    key_customers_visited: int
    key_coverage_pct: float | None
    attempted: int
    reached: int
    reach_rate_pct: float | None
    outcomes: dict[str, int]


class RuleOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    grade: str
    key_customers: str
    interval_months: int | None
    event: str
    follows_id: int | None
    delay_hours: int
    method: str
    script_id: int | None
    team_id: int | None
    is_active: bool
    version: int


def _visit(request: HttpRequest, pk: int) -> VisitTask:
    task = selectors.visit_get(user=request.user, pk=pk)
    if task is None:
        raise Http404("No such visit, or it is outside what you may see.")
    return task


def _detail(request: HttpRequest, task: VisitTask) -> VisitTask:
    """The visit with its script filled in for the reader."""
    script = ""
    if task.rule.script is not None:
        script = services.render_script(
            task.rule.script.body, services.script_values(task, task.assignee or request.user)
        )
    task.script = script  # type: ignore[attr-defined]
    return task


@router.get("", response=list[VisitOut], summary="A list of visits (due today, overdue, mine, team queue ...)")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_visits(request: HttpRequest, filters: Query[VisitFilters]) -> Any:
    if not request.user.has_perm("visits.view_visits"):
        raise PermissionDeniedError()
    data = filters.dict()
    return selectors.visit_queue(user=request.user, queue=data.pop("queue"), q=data.pop("q").strip(), **data)


@router.get("/coverage", response={200: CoverageOut, **ERRORS}, summary="Visit coverage of a period (回访报告)")
def coverage(request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None) -> Any:
    if not request.user.has_perm("visits.view_reports"):
        raise PermissionDeniedError()
    today = timezone.localdate()
    start, end = start or today.replace(day=1), end or today
    result = selectors.visit_coverage(start=min(start, end), end=max(start, end))
    return {
        **{name: getattr(result, name) for name in CoverageOut.model_fields if name != "grades"},
        "grades": [{**g.__dict__, "done_pct": g.done_pct} for g in result.grades],
    }


@router.get("/rules", response=list[RuleOut], summary="Visit rules")
def list_rules(request: HttpRequest) -> Any:
    return VisitRule.objects.order_by("position", "id")


@router.get("/{pk}", response={200: VisitDetailOut, **ERRORS}, summary="Read one visit with its script")
def get_visit(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    return _detail(request, _visit(request, pk))


@router.post("/{pk}/outcome", response={200: VisitDetailOut, **ERRORS}, summary="Record the outcome of a visit")
def record_outcome(request: HttpRequest, payload: OutcomeIn, pk: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """Not reached schedules a retry (or gives up after the last attempt); so-so and dissatisfied
    need what to improve; a reached visit needs the customer's evaluation."""
    task = services.visit_record_outcome(actor=request.user, task=_visit(request, pk), **payload.dict())
    return _detail(request, selectors.visit_get(user=request.user, pk=task.pk) or task)


@router.post("/{pk}/case", response={201: CaseOut, **ERRORS}, summary="Open a suggestion or complaint from a visit")
def open_case(request: HttpRequest, payload: CaseIn, pk: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    case = services.visit_open_case(actor=request.user, task=_visit(request, pk), kind=payload.kind)
    return Status(201, {"case_id": case.pk, "number": case.number})
