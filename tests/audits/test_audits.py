"""The checklist seeded from seed 000, editing it without touching past audits, conducting an audit, its
scores, the comparison of two audits, the pages, the Excel export and the printed form."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from kefu.audits import selectors, services
from kefu.audits.models import Audit, ChecklistQuestion, ChecklistSection
from kefu.core.services import DomainError, PermissionDeniedError

pytestmark = pytest.mark.django_db

SECTIONS = [
    "影响客户服务的信用规定",
    "接受订单的条件",
    "客户服务组织及人员",
    "配送时间",
    "客户服务的权限",
    "投诉程序及上诉的权利",
    "仓储",
    "客户服务水平及标准",
]


def test_the_default_checklist_is_the_seeds_eight_sections_and_36_questions():
    assert list(ChecklistSection.objects.values_list("title", flat=True)) == SECTIONS
    counts = [s.questions.count() for s in ChecklistSection.objects.all()]
    assert counts == [4, 4, 6, 3, 3, 5, 5, 6]
    texts = set(ChecklistQuestion.objects.values_list("text", flat=True))
    for expected in (
        "在接受订单之前是否证实客户的信用",
        "客户服务人员是按用户账号指定,还是按产品类别指派",
        "客户是否知道他们的上诉权利",
        "是否适当",
        "是否建立一个发展的系统以根据标准检查客户服务工作情况并能将信息及时反馈给各有关方面",
    ):
        assert expected in texts


def test_editing_the_checklist_leaves_past_audits_as_they_were_answered(people, make_audit):
    past = make_audit({"仓储": ["yes"] * 5})
    storage = ChecklistSection.objects.get(title="仓储")
    retired = storage.questions.get(text="是否适当")
    services.checklist_question_retire(actor=people["cs_manager"], question=retired, version=retired.version)
    added = services.checklist_question_add(actor=people["cs_manager"], section=storage, text="是否定期盘点库存")
    ChecklistQuestion.objects.filter(pk=added.pk).update(text="改过的文字")  # even a changed text stays out
    past.refresh_from_db()
    assert past.answers.filter(text="是否适当").exists()
    assert not past.answers.filter(question=added).exists()
    assert selectors.audit_scores(past).overall.score == 100
    later = make_audit({})
    assert not later.answers.filter(text="是否适当").exists()
    assert later.answers.filter(text="改过的文字", section_title="仓储").exists()
    assert later.answers.count() == 36


def test_only_managers_edit_the_checklist(people, client_for):
    storage = ChecklistSection.objects.get(title="仓储")
    with pytest.raises(PermissionDeniedError):
        services.checklist_question_add(actor=people["agent"], section=storage, text="新问题")
    answer = client_for("agent").post("/audits/checklist/", {"section": storage.pk, "text": "新问题"})
    assert answer.status_code == 403
    assert client_for("cs_manager").post("/audits/checklist/", {"section": storage.pk, "text": ""}).status_code == 400
    ok = client_for("cs_manager").post("/audits/checklist/", {"section": storage.pk, "text": "新问题"})
    assert ok.status_code == 302 and storage.questions.filter(text="新问题", is_active=True).exists()
    question = storage.questions.get(text="新问题")
    stale = client_for("cs_manager").post(f"/audits/checklist/{question.pk}/retire/", {"version": question.version + 1})
    assert stale.status_code == 409


def test_an_audit_is_completed_only_when_every_question_is_answered_then_read_only(people, make_audit):
    audit = make_audit({}, complete=False)
    first = audit.answers.first()
    services.audit_answer(actor=people["supervisor"], audit=audit, answers={first.pk: {"result": ""}}, version=None)
    with pytest.raises(DomainError, match="1"):
        services.audit_complete(actor=people["supervisor"], audit=audit, version=None)
    services.audit_answer(
        actor=people["supervisor"], audit=audit, answers={first.pk: {"result": "yes", "evidence": "文件"}}, version=None
    )
    audit = services.audit_complete(actor=people["supervisor"], audit=audit, version=None)
    assert audit.status == "completed" and audit.completed_at is not None
    with pytest.raises(DomainError) as refused:
        services.audit_answer(
            actor=people["supervisor"], audit=audit, answers={first.pk: {"result": "no"}}, version=None
        )
    assert refused.value.code == "conflict"


def test_the_answer_form_saves_completes_and_refuses_stale_or_bad_input(people, make_audit, client_for):
    audit = make_audit({}, complete=False)
    client = client_for("supervisor")
    answers = list(audit.answers.all())
    page = client.get(f"/audits/{audit.pk}/")
    assert page.status_code == 200 and "Y" in page.content.decode() and 'data-key="a"' in page.content.decode()
    bad = client.post(f"/audits/{audit.pk}/", {"version": audit.version, f"result_{answers[0].pk}": "maybe"})
    assert bad.status_code == 400
    stale = client.post(f"/audits/{audit.pk}/", {"version": audit.version - 1, f"result_{answers[0].pk}": "no"})
    assert stale.status_code == 409
    form = {"version": audit.version, "then": "complete"}
    form.update({f"result_{a.pk}": "yes" for a in answers})
    form[f"result_{answers[0].pk}"] = "partly"
    form[f"evidence_{answers[0].pk}"] = "信用审批记录"
    assert client.post(f"/audits/{audit.pk}/", form).status_code == 302
    audit.refresh_from_db()
    assert audit.status == "completed"
    assert selectors.audit_scores(audit).overall.score == Decimal("98.6")  # 100 × 35.5 / 36
    again = client.post(f"/audits/{audit.pk}/", {"version": audit.version, f"result_{answers[0].pk}": "no"})
    assert again.status_code == 409
    assert client_for("sales_rep").get(f"/audits/{audit.pk}/").status_code == 403


def test_two_audits_side_by_side_per_section(make_audit, client_for):
    before = make_audit({"仓储": ["no", "no", "yes", "yes", "na"]}, audited_on=dt.date(2026, 1, 5))
    after = make_audit({"仓储": ["yes", "yes", "yes", "partly", "na"]}, audited_on=dt.date(2026, 4, 5))
    rows, overall = selectors.audits_compare(before, after)
    storage = next(r for r in rows if r.title == "仓储")
    assert (storage.before, storage.after, storage.change) == (50, 87.5, 37.5)
    credit = next(r for r in rows if r.title == "影响客户服务的信用规定")
    assert credit.before is None and credit.change is None  # all n.a.: no data
    assert overall.change == 37.5
    page = client_for("cs_manager").get("/audits/compare/", {"a": after.pk, "b": before.pk})  # any order
    body = page.content.decode()
    assert page.status_code == 200 and "+37.5" in body and body.index(before.number) < body.index(after.number)
    assert client_for("cs_manager").get("/audits/compare/", {"a": "x", "b": "1"}).status_code == 400


def test_list_filters_search_paginates_and_exports(make_audit, people, client_for, departments):
    first = make_audit({"仓储": ["yes"]})
    draft = make_audit({}, complete=False)
    Audit.objects.filter(pk=draft.pk).update(scope="华东仓专项")
    client = client_for("cs_manager")
    listed = client.get("/audits/", {"status": "completed"}).content.decode()
    assert first.number in listed and draft.number not in listed
    assert draft.number in client.get("/audits/", {"q": "华东仓"}).content.decode()
    assert client.get("/audits/", {"department": departments["sales"].pk}).content.decode().count("/audits/") < 30
    assert client.get("/audits/", {"date_from": "not-a-date"}).status_code == 400
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/audits/", {"format": "xlsx"}).content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert {rows[1][0], rows[2][0]} == {first.number, draft.number}
    assert 100 in [r[8] for r in rows[1:]]


def test_new_audit_page_refuses_bad_input(client_for, people, departments):
    client = client_for("supervisor")
    data = {
        "audited_on": "2026-04-01",
        "period_start": "2026-03-31",
        "period_end": "2026-03-01",
        "auditor": people["cs_manager"].pk,
        "departments": [departments["cs"].pk],
    }
    assert client.post("/audits/new/", data).status_code == 400  # ends before it starts
    data["period_start"], data["period_end"] = "2026-03-01", "2026-03-31"
    assert client.post("/audits/new/", {**data, "departments": []}).status_code == 400
    created = client.post("/audits/new/", data)
    assert created.status_code == 302 and Audit.objects.get().filled_by == people["supervisor"]
    assert client_for("dept_manager").post("/audits/new/", data).status_code == 403


def test_printed_checklist_as_pdf_and_excel_in_the_seed_layout(make_audit, client_for):
    from pypdf import PdfReader

    audit = make_audit({"影响客户服务的信用规定": ["yes", "partly", "no", "yes"]})
    client = client_for("cs_manager")
    answer = client.get(f"/audits/{audit.pk}/print/", {"format": "pdf"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = "".join(text.split())  # long cells wrap; the heading is letter-spaced
    for expected in ("客户服务检查表", "检查项目", "检查内容", "检查结果", "审核人", "填写人", "编号", audit.number):
        assert expected in text
    assert "影响客户服务的信用规定" in text and "在接受订单之前是否证实客户的信用" in text
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(f"/audits/{audit.pk}/print/", {"format": "xlsx"}).content))
    rows = [[c for c in row if c not in (None, "")] for row in sheet.active.iter_rows(values_only=True)]
    assert rows[0] == ["客户服务检查表"]
    assert rows[2][:3] == ["检查项目", "检查内容", "检查结果"]
    assert rows[3][:2] == ["1.影响客户服务的信用规定", "(1)在接受订单之前是否证实客户的信用"]
    assert any("审核人" in str(cell) for row in rows for cell in row)
    assert client.get(f"/audits/{audit.pk}/print/").status_code == 200
