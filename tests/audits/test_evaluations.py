"""The 客户服务评价表: composite and total, the countersignature order, signing as oneself, no edits after a
signature, the pre-fill rules from the KPI measurement and the surveys, the pages and the printed form."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from kefu.audits import selectors, services
from kefu.audits.models import Evaluation
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.standards import services as standards
from tests.standards.conftest import add_item

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
ROWS = [("准时送达", 10, 5, 2), ("货物完好", 0, None, 1), ("信息反馈", 10, 10, 3)]


def _sign(evaluation, user, role, department=None):
    evaluation.refresh_from_db()
    return services.evaluation_sign(
        actor=user, evaluation=evaluation, role=role, department=department, version=evaluation.version
    )


def test_composite_per_item_and_total(make_evaluation):
    evaluation = make_evaluation(ROWS)
    items, total = selectors.evaluation_items(evaluation)
    assert [r.composite for r in items] == [Decimal("7.5"), Decimal(0), Decimal(10)]
    assert total == Decimal("7.5")  # (2 × 7.5 + 1 × 0 + 3 × 10) / 6
    empty = make_evaluation([])
    assert selectors.evaluation_items(empty) == ([], None)


def test_countersigned_in_order_each_as_themselves_then_final(make_evaluation, people, managed):
    evaluation = make_evaluation(ROWS)
    with pytest.raises(DomainError) as early:
        _sign(evaluation, people["cs_manager"], "cs_manager")
    assert early.value.code == "conflict"
    with pytest.raises(DomainError):
        _sign(evaluation, people["dept_manager"], "dept_manager", managed)  # the filler signs first
    with pytest.raises(PermissionDeniedError):
        _sign(evaluation, people["agent"], "filler")  # only the filler, as themselves
    first = _sign(evaluation, people["supervisor"], "filler")
    assert first.user == people["supervisor"] and first.signed_at is not None
    evaluation.refresh_from_db()
    assert evaluation.status == "signing"
    with pytest.raises(PermissionDeniedError):
        _sign(evaluation, people["cs_manager"], "dept_manager", managed)  # not the department's manager
    with pytest.raises(DomainError):
        _sign(evaluation, people["cs_manager"], "cs_manager")  # the department manager has not signed
    _sign(evaluation, people["dept_manager"], "dept_manager", managed)
    with pytest.raises(PermissionDeniedError):
        _sign(evaluation, people["supervisor"], "cs_manager")
    _sign(evaluation, people["cs_manager"], "cs_manager")
    evaluation.refresh_from_db()
    assert evaluation.status == "final"
    places = selectors.evaluation_signatures(evaluation)
    assert [p.signature.user.username for p in places] == ["supervisor", "dept_manager", "cs_manager"]
    with pytest.raises(DomainError):
        _sign(evaluation, people["cs_manager"], "cs_manager")


def test_every_item_is_scored_before_anyone_signs(make_evaluation, people):
    evaluation = make_evaluation([("准时送达", None, None, 1)])
    with pytest.raises(DomainError):
        _sign(evaluation, people["supervisor"], "filler")
    assert not evaluation.signatures.exists()


def test_nothing_changes_after_the_first_signature(make_evaluation, people, managed, client_for):
    evaluation = make_evaluation(ROWS)
    _sign(evaluation, people["supervisor"], "filler")
    evaluation.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        services.evaluation_items_save(actor=people["supervisor"], evaluation=evaluation, rows=[], version=None)
    assert refused.value.code == "conflict"
    client = client_for("supervisor")
    rows = {"version": evaluation.version, "rows": "1", "content_1": "改", "weight_1": "1"}
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", rows).status_code == 409
    header = {
        "form": "header",
        "version": evaluation.version,
        "filled_on": "2026-04-03",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "departments": [managed.pk],
        "opinion": "改",
    }
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", header).status_code == 409
    prefill = client.post(f"/audits/evaluations/{evaluation.pk}/prefill/", {"version": evaluation.version})
    assert prefill.status_code == 409
    delete = client.post(f"/audits/evaluations/{evaluation.pk}/delete/", {"version": evaluation.version})
    assert delete.status_code == 409 and Evaluation.objects.filter(pk=evaluation.pk).exists()
    evaluation.refresh_from_db()
    assert evaluation.opinion == "" and evaluation.items.count() == 3


def test_the_pages_sign_save_and_refuse_bad_or_stale_input(make_evaluation, people, managed, client_for):
    evaluation = make_evaluation(ROWS)
    client = client_for("supervisor")
    page = client.get(f"/audits/evaluations/{evaluation.pk}/")
    assert page.status_code == 200 and "7.5" in page.content.decode()
    base = {"version": evaluation.version, "rows": "2", "content_1": "准时送达", "customer_score_1": "10"}
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", {**base, "internal_score_1": "7"}).status_code == 400
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", {**base, "weight_1": "-1"}).status_code == 400
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", {**base, "indicator_1": "99999"}).status_code == 400
    stale = {**base, "version": evaluation.version - 1}
    assert client.post(f"/audits/evaluations/{evaluation.pk}/", stale).status_code == 409
    saved = client.post(
        f"/audits/evaluations/{evaluation.pk}/", {**base, "internal_score_1": "5", "weight_1": "2", "content_2": ""}
    )
    assert saved.status_code == 302
    assert list(evaluation.items.values_list("content", "customer_score", "internal_score")) == [("准时送达", 10, 5)]
    evaluation.refresh_from_db()
    sign = client.post(f"/audits/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version, "role": "filler"})
    assert sign.status_code == 302
    evaluation.refresh_from_db()
    wrong = client_for("agent").post(
        f"/audits/evaluations/{evaluation.pk}/sign/",
        {"version": evaluation.version, "role": "dept_manager", "department": managed.pk},
    )
    assert wrong.status_code == 403
    bad = client.post(f"/audits/evaluations/{evaluation.pk}/sign/", {"version": evaluation.version, "role": "boss"})
    assert bad.status_code == 400
    assert client.post(f"/audits/evaluations/{evaluation.pk}/nope/", {}).status_code == 404


def test_new_evaluation_takes_the_items_of_the_standard_in_force(approved, people, departments, client_for):
    data = {
        "filled_on": "2026-04-03",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "departments": [departments["cs"].pk],
    }
    client = client_for("supervisor")
    assert client.post("/audits/evaluations/new/", {**data, "period_end": "2026-02-01"}).status_code == 400
    assert client.post("/audits/evaluations/new/", {**data, "customer_type": "martian"}).status_code == 400
    assert client.post("/audits/evaluations/new/", data).status_code == 302
    evaluation = Evaluation.objects.get()
    assert list(evaluation.items.values_list("content", "weight", "indicator__code")) == [
        ("客户服务部 · 客户投诉率", Decimal(60), "complaint_rate"),
        ("客户服务部 · 客户投诉处理时间", Decimal(40), "complaint_handling_time"),
    ]
    assert client_for("dept_manager").post("/audits/evaluations/new/", data).status_code == 403


@pytest.fixture
def march(people, march_records):
    """The March records, and a standard: complaint rate ≤ 25 (外企) / 30 (民营), handling ≤ 9.6 h (外企) /
    24 h (民营)."""
    standard = standards.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "complaint_rate", "60", {"foreign": "25", "private": "30"})
    add_item(standard, people["cs_manager"], "complaint_handling_time", "40", {"foreign": "9.6", "private": "24"})
    standards.standard_update(
        actor=people["cs_manager"], standard=standard, data={"effective_from": dt.date(2026, 1, 1)}, version=None
    )
    standards.standard_approve(actor=people["general_manager"], standard=standard, version=None)
    return march_records


def _prefilled(people, departments, template, customer_type):
    evaluation = services.evaluation_create(
        actor=people["supervisor"],
        data={
            "filled_on": dt.date(2026, 4, 3),
            "period_start": dt.date(2026, 3, 1),
            "period_end": dt.date(2026, 3, 31),
            "customer_type": customer_type,
            "departments": [departments["cs"]],
        },
    )
    rate, hours = evaluation.items.all()
    rows = [
        {"content": rate.content, "indicator": rate.indicator, "weight": 60},
        {
            "content": hours.content,
            "indicator": hours.indicator,
            "weight": 40,
            "dimension": template.dimensions.get(code="price"),
        },
        {"content": "员工服务态度", "weight": 10},
    ]
    services.evaluation_items_save(actor=people["supervisor"], evaluation=evaluation, rows=rows, version=None)
    services.evaluation_prefill(actor=people["supervisor"], evaluation=evaluation, version=None)
    return list(evaluation.items.values_list("customer_score", "internal_score"))


def test_prefill_from_the_kpi_measurement_and_the_satisfaction_index(march, people, departments):
    # 外企: rate 1/4 = 25 % ≤ 25 → good; handling 10 h > 9.6 h but ≤ 9.6 × 1.05 = 10.08 → fair.
    # Customer score: index 92.5 ≥ 85 → good; the item on the price dimension, 50 < 60 → poor.
    assert _prefilled(people, departments, march, "foreign") == [(10, 10), (0, 5), (10, None)]
    # All types: the lowest level over the types. 民营: rate 1/2 = 50 % > 31.5 → poor; 30 h > 25.2 → poor.
    assert _prefilled(people, departments, march, "") == [(10, 0), (0, 0), (10, None)]


def test_prefill_leaves_scores_without_data_alone(people, departments, approved):
    evaluation = services.evaluation_create(
        actor=people["supervisor"],
        data={
            "period_start": dt.date(2026, 3, 1),
            "period_end": dt.date(2026, 3, 31),
            "departments": [departments["cs"]],
        },
    )
    rows = [
        {"content": i.content, "indicator": i.indicator, "internal_score": 5, "customer_score": 5, "weight": 1}
        for i in evaluation.items.all()
    ]
    services.evaluation_items_save(actor=people["supervisor"], evaluation=evaluation, rows=rows, version=None)
    assert services.evaluation_prefill(actor=people["supervisor"], evaluation=evaluation, version=None) == 0
    assert set(evaluation.items.values_list("customer_score", "internal_score")) == {(5, 5)}


def test_list_filters_and_exports(make_evaluation, client_for):
    first = make_evaluation(ROWS, opinion="运输准时率偏低")
    other = make_evaluation([("仓储", 5, 5, 1)], customer_type="state")
    client = client_for("cs_manager")
    found = client.get("/audits/evaluations/", {"q": "准时率"}).content.decode()
    assert first.number in found and other.number not in found
    assert other.number in client.get("/audits/evaluations/", {"customer_type": "state"}).content.decode()
    assert client.get("/audits/evaluations/", {"customer_type": "martian"}).status_code == 400
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/audits/evaluations/", {"format": "xlsx"}).content)).active
    totals = {row[0]: row[7] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert totals == {first.number: 7.5, other.number: 5}


def test_printed_evaluation_as_pdf_and_excel_in_the_seed_layout(make_evaluation, people, client_for):
    from pypdf import PdfReader

    evaluation = make_evaluation(ROWS, opinion="信息反馈及时", remarks="试行")
    _sign(evaluation, people["supervisor"], "filler")
    client = client_for("cs_manager")
    answer = client.get(f"/audits/evaluations/{evaluation.pk}/print/", {"format": "pdf"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = "".join(text.split())  # long cells wrap; the heading is letter-spaced
    for expected in (
        "客户服务评价表",
        "客户服务评价内容",
        "客户评分结果",
        "内部评价结果",
        "综合得分",
        "评价人员",
        "好(10)",
        "一般(5)",
        "差(0)",
        "总分",
        "评价意见",
        "信息反馈及时",
        "备注",
        "客户服务部经理",
        "相关部门经理",
        "填表人",
        "准时送达",
        evaluation.number,
    ):
        assert expected in text, expected
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/audits/evaluations/{evaluation.pk}/print/", {"format": "xlsx"}).content)
    )
    rows = [[c for c in row if c not in (None, "")] for row in workbook.active.iter_rows(values_only=True)]
    assert rows[0] == ["客户服务评价表"]
    assert rows[3][0] == "准时送达" and rows[3][-2:] == [7.5, "王芳"]
    assert ["总分", 7.5] in rows
    assert any(str(cell).startswith("填表人: supervisor") for row in rows for cell in row)
