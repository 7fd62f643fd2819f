"""Reads about surveys: lists, the results page (one grouped scan of the answers), comments, and the
satisfaction index per period and segment for the standards/KPI work."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from kefu.core.selectors import keyword_condition
from kefu.customers.choices import Grade, Region
from kefu.surveys.choices import SCORED_KINDS, QuestionKind, Segment
from kefu.surveys.models import (
    Answer,
    AnswerCount,
    Dimension,
    Invitation,
    Question,
    Response,
    Survey,
    SurveyTemplate,
)
from kefu.surveys.scoring import mean, score, weighted_index
from kefu.surveys.services import SEARCH_KIND

SEGMENT_FIELDS = {Segment.GRADE: "grade", Segment.REGION: "region", Segment.KEY: "is_key"}


def surveys_list(*, q: str = "", status: str = "", template_id: int | None = None) -> QuerySet[Survey]:
    surveys = Survey.objects.select_related("template", "created_by")
    if status:
        surveys = surveys.filter(status=status)
    if template_id:
        surveys = surveys.filter(template_id=template_id)
    for word in q.split():
        surveys = surveys.filter(name__icontains=word)
    return surveys.order_by("-opens_at", "-id")


def templates_all() -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.prefetch_related("dimensions").order_by("name", "id")


def segment_label(segment: str, key: Any) -> str:
    if segment == Segment.GRADE:
        return str(dict(Grade.choices).get(key, key or "—"))
    if segment == Segment.REGION:
        return str(dict(Region.choices).get(key, key or "—"))
    from django.utils.translation import gettext as _

    return _("Key customers") if key else _("Other customers")


@dataclass
class QuestionResult:
    question: Question
    counts: list[tuple[str, int]]
    answered: int
    score: Decimal | None


@dataclass
class IndexRow:
    """The satisfaction index of a group of responses (a segment, a month), with its dimension scores."""

    key: Any
    label: str
    responses: int = 0
    dimensions: dict[int, Decimal | None] = field(default_factory=dict)
    index: Decimal | None = None
    scores: list[Decimal | None] = field(default_factory=list)  # dimension scores in the template's order


@dataclass
class Results:
    invited: int
    responses: int
    questions: list[QuestionResult]
    dimensions: list[tuple[Dimension, Decimal | None]]
    index: Decimal | None
    segments: list[IndexRow]
    months: list[IndexRow]
    target: Decimal | None

    @property
    def response_rate(self) -> float | None:
        return round(100 * self.responses / self.invited, 1) if self.invited else None


def _cube(cells: QuerySet[AnswerCount], segment_field: str) -> list[dict[str, Any]]:
    """Answer counts per (question, value, month, segment), summed from the kept counts: every figure
    of the results is computed from these few rows."""
    return list(cells.values("question_id", "value", "month", segment_field).annotate(n=Sum("n")).order_by())


def _index_rows(
    cube: list[dict[str, Any]], questions: dict[int, Question], weights: dict[int, Decimal], group: str
) -> dict[Any, IndexRow]:
    pairs: dict[Any, dict[int, list[tuple[Decimal, int]]]] = defaultdict(lambda: defaultdict(list))
    for row in cube:
        question = questions.get(row["question_id"])
        if question is None or question.kind not in SCORED_KINDS or not question.dimension_id:
            continue
        value = score(question.kind, question.points, row["value"])
        if value is not None:
            pairs[row[group]][question.dimension_id].append((value, row["n"]))
    rows = {}
    for key, by_dimension in pairs.items():
        dims = {d: mean(p) for d, p in by_dimension.items()}
        rows[key] = IndexRow(key=key, label=str(key), dimensions=dims, index=weighted_index(dims, weights))
    return rows


def survey_results(*, survey: Survey, segment: str = Segment.GRADE) -> Results:
    """Response rate, per-question distribution, dimension scores, the index per segment and per month."""
    segment = segment if segment in SEGMENT_FIELDS else Segment.GRADE
    segment_field = SEGMENT_FIELDS[Segment(segment)]
    template = survey.template
    questions = {q.pk: q for q in template.questions.select_related("dimension")}
    dimensions = list(template.dimensions.all())
    weights = {d.pk: d.weight for d in dimensions}
    cube = _cube(AnswerCount.objects.filter(survey=survey), segment_field)
    counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in cube:
        counts[row["question_id"]][row["value"]] += row["n"]
    question_results = []
    for question in questions.values():
        by_value = counts.get(question.pk, {})
        if question.kind == QuestionKind.SCALE:
            labels = [(label, by_value.get(question.points - i, 0)) for i, label in enumerate(question.options)]
        elif question.kind == QuestionKind.NPS:
            labels = [(str(v), by_value.get(v, 0)) for v in range(10, -1, -1)]
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            labels = [(label, by_value.get(i, 0)) for i, label in enumerate(question.options)]
        else:
            labels = []
        scored = [(s, n) for v, n in by_value.items() if (s := score(question.kind, question.points, v)) is not None]
        question_results.append(QuestionResult(question, labels, sum(by_value.values()) if labels else 0, mean(scored)))
    overall = _index_rows([{**r, "all": 1} for r in cube], questions, weights, "all").get(1)
    overall_dims = overall.dimensions if overall else {}
    response_counts = dict(
        Response.objects.filter(survey=survey).values_list(segment_field).annotate(n=Count("id")).order_by()
    )
    segments = _index_rows(cube, questions, weights, segment_field)
    for key, row in segments.items():
        row.label = segment_label(segment, key)
        row.responses = response_counts.get(key, 0)
    months = _index_rows(cube, questions, weights, "month")
    for key, row in months.items():
        row.label = f"{key:%Y-%m}"
    for row in [*segments.values(), *months.values()]:
        row.scores = [row.dimensions.get(d.pk) for d in dimensions]
    return Results(
        invited=survey.invited_count,
        responses=Response.objects.filter(survey=survey).count(),
        questions=question_results,
        dimensions=[(d, overall_dims.get(d.pk)) for d in dimensions],
        index=overall.index if overall else None,
        segments=sorted(segments.values(), key=lambda r: str(r.key)),
        months=sorted(months.values(), key=lambda r: r.key),
        target=template.target_index,
    )


@dataclass
class TallySheet:
    """The 客户服务调查表: the scale questions as rows, the scale's steps as columns, answers counted."""

    scale: list[str]
    rows: list[tuple[str, list[int]]]

    @property
    def totals(self) -> list[int]:
        """The 总计数量 row: answers per step over every question."""
        return [sum(counts[i] for _text, counts in self.rows) for i in range(len(self.scale))]


def survey_tally(survey: Survey, results: Results | None = None) -> TallySheet:
    """The seed's form: each question asked on the survey's scale (非常好 … 非常差), with the count of each step."""
    results = results or survey_results(survey=survey)
    scaled = [r for r in results.questions if r.question.kind == QuestionKind.SCALE]
    scale = list(scaled[0].question.options) if scaled else []
    rows = [(r.question.text, [n for _label, n in r.counts]) for r in scaled if list(r.question.options) == scale]
    return TallySheet(scale=scale, rows=rows)


def survey_comments(*, survey: Survey, q: str = "") -> QuerySet[Response]:
    """Verbatim comments, newest first; Chinese keywords through the search index."""
    responses = Response.objects.filter(survey=survey).exclude(comment="")
    if q:
        responses = responses.filter(keyword_condition(SEARCH_KIND, q))
    return responses.select_related("customer").order_by("-submitted_at", "-id")


def survey_raw_rows(survey: Survey) -> tuple[list[str], Any]:
    """Header and rows of the raw responses, one row per response, one column per question."""
    questions = list(survey.template.questions.order_by("position", "id"))
    header = [
        "submitted",
        "customer number",
        "customer",
        "grade",
        "region",
        "key",
        "channel",
        "index",
        *[q.text for q in questions],
        "comments",
    ]

    def rows() -> Any:
        responses = Response.objects.filter(survey=survey).select_related("customer").order_by("id")
        last = 0
        while True:
            chunk = list(responses.filter(id__gt=last)[:2000])
            if not chunk:
                return
            last = chunk[-1].pk
            values: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
            for response_id, question_id, value, text in Answer.objects.filter(
                response_id__in=[r.pk for r in chunk]
            ).values_list("response_id", "question_id", "value", "text"):
                values[response_id][question_id].append(text if value is None else str(value))
            for r in chunk:
                answers = values.get(r.pk, {})
                yield [
                    timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M"),
                    r.customer.number,
                    r.customer.name,
                    r.grade,
                    r.region,
                    "Y" if r.is_key else "",
                    r.channel,
                    float(r.index_score) if r.index_score is not None else None,
                    *[";".join(answers.get(q.pk, [])) for q in questions],
                    r.comment,
                ]

    return header, rows()


def satisfaction_index(
    *,
    start: dt.date,
    end: dt.date,
    segment: str | None = None,
    template: SurveyTemplate | None = None,
) -> list[IndexRow]:
    """The satisfaction index of the responses submitted in the months of [start, end], overall (one row
    keyed None) or per segment (grade, region, is_key). Read by the standards/KPI work."""
    template = template or SurveyTemplate.objects.filter(code="customer-service").first()
    if template is None:
        return []
    questions = {q.pk: q for q in template.questions.all()}
    weights = {d.pk: d.weight for d in template.dimensions.all()}
    first_month = start.replace(day=1)
    cells = AnswerCount.objects.filter(survey__template=template, month__gte=first_month, month__lte=end)
    group = SEGMENT_FIELDS.get(Segment(segment)) if segment else None
    cube = _cube(cells, group or "month")
    if group is None:
        cube = [{**r, "all": None} for r in cube]
    rows = _index_rows(cube, questions, weights, group or "all")
    tz = timezone.get_current_timezone()
    after_end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    responses = Response.objects.filter(
        survey__template=template,
        submitted_at__gte=dt.datetime.combine(first_month, dt.time.min, tzinfo=tz),
        submitted_at__lt=dt.datetime.combine(after_end, dt.time.min, tzinfo=tz),
    )
    counts = dict(responses.values_list(group).annotate(n=Count("id")).order_by()) if group else {}
    total = responses.count() if group is None else 0
    result = []
    for key, row in rows.items():
        row.label = segment_label(segment, key) if segment else ""
        row.responses = counts.get(key, 0) if group else total
        result.append(row)
    return sorted(result, key=lambda r: str(r.key))


def invitations_pending(survey: Survey) -> QuerySet[Invitation]:
    return survey.invitations.filter(responded_at__isnull=True).select_related("customer", "contact")
