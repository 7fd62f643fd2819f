"""Survey pages: list, sending, results with search and export, phone entry, templates, the public page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kefu.surveys.models import Invitation, Response, Survey, SurveyTemplate
from kefu.surveys.services import response_submit
from tests.surveys.conftest import answers_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _form_data(template, value: int) -> dict[str, str]:
    return {f"q{k}": str(v) for k, v in answers_all(template, value).items()}


def test_list_search_and_export(client_for, surveyed):
    client = client_for("supervisor")
    page = client.get(reverse("surveys:list"), {"q": "第四季度"})
    assert list(page.context["page"]) == [surveyed["survey"]]
    assert list(client.get(reverse("surveys:list"), {"q": "没有这个"}).context["page"]) == []
    export = client.get(reverse("surveys:list"), {"format": "xlsx"})
    assert load_workbook(io.BytesIO(export.content)).active.max_row == 2
    assert client_for("sales_rep").get(reverse("surveys:list")).status_code == 403


def test_sending_a_survey_to_a_segment(client_for, surveyed, template):
    closes = (timezone.localtime() + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("cs_manager").post(
        reverse("surveys:new"),
        {"template": template.pk, "name": "上海客户调查", "channel": "sms", "closes_at": closes, "region": "shanghai"},
    )
    assert response.status_code == 302
    survey = Survey.objects.get(name="上海客户调查")
    assert survey.invited_count == 2 and survey.segment == {"region": "shanghai"}
    past = client_for("cs_manager").post(
        reverse("surveys:new"),
        {"template": template.pk, "name": "过去", "channel": "sms", "closes_at": "2020-01-01T00:00"},
    )
    assert past.status_code == 400


def test_results_comments_search_and_raw_export(client_for, surveyed, template):
    tokens = list(Invitation.objects.order_by("id").values_list("token", flat=True))
    response_submit(token=tokens[0], answers=answers_all(template, 6), comment="送货准时，服务热情")
    response_submit(token=tokens[1], answers=answers_all(template, 3), comment="发票太慢")
    client = client_for("supervisor")
    url = reverse("surveys:detail", args=[surveyed["survey"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["results"].response_rate == 100.0
    found = client.get(url, {"q": "发票", "fragment": "comments"}, HTTP_HX_REQUEST="true")
    assert "发票太慢" in found.content.decode() and "送货准时" not in found.content.decode()
    export = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3
    links = client.get(url, {"format": "links"})
    assert "/portal/survey/" in str(load_workbook(io.BytesIO(links.content)).active["D2"].value)


def test_staff_enter_phone_answers(client_for, surveyed, template):
    invitation = Invitation.objects.order_by("id").first()
    url = reverse("surveys:enter", args=[surveyed["survey"].pk, invitation.pk])
    client = client_for("agent")
    assert client.get(url).status_code == 200
    assert client.post(url, {}).status_code == 400
    assert client.post(url, _form_data(template, 5)).status_code == 302
    assert Response.objects.get().channel == "phone"
    again = client.post(url, _form_data(template, 5))
    assert again.status_code == 409


def test_template_weights_are_edited(client_for, template):
    client = client_for("cs_manager")
    url = reverse("surveys:template", args=[template.pk])
    data = {
        "name": template.name,
        "intro": "",
        "low_score_below": "50",
        "target_index": "90",
        "is_active": "on",
        "version": template.version,
    }
    data.update({f"weight_{d.pk}": "1" for d in template.dimensions.all()})
    assert client.post(url, data).status_code == 302
    template = SurveyTemplate.objects.get(pk=template.pk)
    assert template.low_score_below == 50 and all(d.weight == 1 for d in template.dimensions.all())


def test_the_public_page_takes_answers_once(client, surveyed, template):
    token = Invitation.objects.order_by("id").first().token
    url = reverse("portal:survey", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "订单处理快捷" in page.content.decode()
    assert client.post(url, {}).status_code == 400
    done = client.post(url, _form_data(template, 7))
    assert done.status_code == 200 and "survey-thanks" in done.content.decode()
    again = client.get(url)
    assert "survey-refused" in again.content.decode()
    assert client.post(url, _form_data(template, 1)).status_code == 200
    assert Response.objects.count() == 1


def test_the_public_page_refuses_unknown_and_closed_links(client, surveyed):
    assert client.get(reverse("portal:survey", args=["nope"])).status_code == 404
    Survey.objects.update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    token = Invitation.objects.order_by("id").first().token
    assert client.get(reverse("portal:survey", args=[token])).status_code == 410


def test_the_survey_form_counts_each_step_of_the_scale(client_for, surveyed, template):
    """客户服务调查表: one customer answers 非常好 (7) everywhere, the other 中等 (4): each question row counts
    one in each of those columns, and 总计数量 sums the columns."""
    from pypdf import PdfReader

    survey = surveyed["survey"]
    first, second = Invitation.objects.filter(survey=survey).order_by("id").values_list("token", flat=True)
    response_submit(token=first, answers=answers_all(template, 7))
    response_submit(token=second, answers=answers_all(template, 4))
    asked = template.questions.filter(kind="scale").count()
    manager = client_for("cs_manager")
    body = manager.get(f"/surveys/{survey.pk}/print/").content.decode()
    for text in (
        "客户服务调查表",
        "编号",
        "调查日期",
        "订单处理快捷",
        "非常好",
        "非常差",
        "总计数量",
        "审核人",
        "调查人",
    ):
        assert text in body
    xlsx = manager.get(f"/surveys/{survey.pk}/print/", {"format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[2][:8] == ("服务评价 调查项目", "非常好", "相当好", "稍微好", "中等", "稍微差", "相当差", "非常差")
    assert rows[3][:8] == ("订单处理快捷", 1, 0, 0, 1, 0, 0, 0)
    total = next(row for row in rows if row[0] == "总计数量")
    assert total[:8] == ("总计数量", asked, 0, 0, asked, 0, 0, 0)
    pdf = manager.get(f"/surveys/{survey.pk}/print/", {"format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in ("客户服务调查表", "订单处理快捷", "总计数量", "调查人"):
        assert expected in text
