"""Surveys API: surveys, their results, answers entered by staff, the satisfaction index per period and segment."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.api.pagination import BoundedPageNumberPagination
from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.customers.filters import MAX_ID
from kefu.customers.models import Customer
from kefu.surveys import selectors, services
from kefu.surveys.choices import Segment
from kefu.surveys.models import Survey

router = Router(tags=["surveys"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class SurveyFilters(Schema):
    q: str = Field("", max_length=100, description="Words of the survey name")


class SurveyOut(Schema):
    id: int
    name: str
    template_id: int
    status: str
    channel: str
    segment: dict[str, Any]
    opens_at: dt.datetime
    closes_at: dt.datetime
    invited_count: int
    response_count: int


class IndexRowOut(Schema):
    key: str | None
    label: str
    responses: int
    dimensions: dict[str, Decimal | None]
    index: Decimal | None


class DimensionOut(Schema):
    id: int
    code: str
    name: str
    weight: Decimal
    score: Decimal | None


class QuestionOut(Schema):
    id: int
    text: str
    kind: str
    answered: int
    score: Decimal | None
    counts: list[tuple[str, int]]


class ResultsOut(Schema):
    invited: int
    responses: int
    response_rate: float | None
    index: Decimal | None
    target: Decimal | None
    dimensions: list[DimensionOut]
    questions: list[QuestionOut]
    segments: list[IndexRowOut]
    months: list[IndexRowOut]


class ResponseIn(Schema):
    token: str = Field(..., min_length=1, max_length=64, description="The recipient's one-time token")
    customer_id: int | None = Field(None, ge=1, le=MAX_ID, description="Checked against the token when given")
    answers: dict[str, Any] = Field(..., description="Question id → value (scale 1-7, NPS 0-10, option index, text)")
    comment: str = Field("", max_length=5000)


class ResponseOut(Schema):
    id: int
    survey_id: int
    customer_id: int
    submitted_at: dt.datetime
    channel: str
    index_score: Decimal | None


def _row(row: selectors.IndexRow) -> dict[str, Any]:
    return {
        "key": None if row.key is None else str(row.key),
        "label": row.label,
        "responses": row.responses,
        "dimensions": {str(k): v for k, v in row.dimensions.items()},
        "index": row.index,
    }


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDeniedError()


@router.get("", response=list[SurveyOut], summary="Surveys, newest first")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_surveys(request: HttpRequest, filters: Query[SurveyFilters]) -> Any:
    _require(request, "surveys.view_surveys")
    return selectors.surveys_list(q=filters.q.strip())


@router.get("/index", response={200: list[IndexRowOut], **ERRORS}, summary="Satisfaction index per period and segment")
def satisfaction_index(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None, segment: Segment | None = None
) -> Any:
    """The index of the default template's responses in the months of [start, end] (default: this year),
    overall or per grade, region or key customer."""
    _require(request, "surveys.view_surveys")
    today = timezone.localdate()
    start, end = start or today.replace(month=1, day=1), end or today
    return [_row(r) for r in selectors.satisfaction_index(start=min(start, end), end=max(start, end), segment=segment)]


@router.get("/{pk}/results", response={200: ResultsOut, **ERRORS}, summary="Results of a survey")
def results(request: HttpRequest, pk: int = Path(..., ge=1, le=MAX_ID), segment: Segment = Segment.GRADE) -> Any:
    _require(request, "surveys.view_surveys")
    survey = get_object_or_404(Survey.objects.select_related("template"), pk=pk)
    result = selectors.survey_results(survey=survey, segment=segment)
    return {
        "invited": result.invited,
        "responses": result.responses,
        "response_rate": result.response_rate,
        "index": result.index,
        "target": result.target,
        "dimensions": [
            {"id": d.pk, "code": d.code, "name": d.name, "weight": d.weight, "score": s} for d, s in result.dimensions
        ],
        "questions": [
            {
                "id": q.question.pk,
                "text": q.question.text,
                "kind": q.question.kind,
                "answered": q.answered,
                "score": q.score,
                "counts": q.counts,
            }
            for q in result.questions
        ],
        "segments": [_row(r) for r in result.segments],
        "months": [_row(r) for r in result.months],
    }


@router.post("/{pk}/responses", response={201: ResponseOut, **ERRORS}, summary="Enter answers given on the phone")
def enter_response(request: HttpRequest, payload: ResponseIn, pk: int = Path(..., ge=1, le=MAX_ID)) -> Any:
    """Staff type in a customer's answers; the token must be of this survey and of `customer_id`."""
    survey = Survey.objects.filter(pk=pk).first()
    if survey is None:
        raise Http404("No such survey.")
    customer = None
    if payload.customer_id is not None:
        customer = Customer.objects.filter(pk=payload.customer_id).first()
        if customer is None:
            raise Http404("No such customer.")
    response = services.response_submit(
        token=payload.token,
        answers=payload.answers,
        comment=payload.comment,
        survey=survey,
        customer=customer,
        entered_by=request.user,
    )
    return Status(201, response)
