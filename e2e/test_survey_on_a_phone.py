"""A customer answers the satisfaction survey from the personal link on a phone."""

from __future__ import annotations

import datetime as dt
import os
import tempfile

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from kefu.surveys.models import Invitation, Response, SurveyTemplate
from kefu.surveys.services import survey_create
from tests.customers.factories import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT_DIR = os.environ.get("KEFU_E2E_SCREENSHOT_DIR", tempfile.gettempdir())


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_a_customer_answers_a_survey_on_a_phone(page):
    customer = make_customer(name="手机答卷测试有限公司", contacts=[{"name": "周经理", "email": "z@example.test"}])
    template = SurveyTemplate.objects.get(code="customer-service")
    survey = survey_create(
        actor=None, template=template, name="手机调查", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    token = Invitation.objects.get(survey=survey, customer=customer).token

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/portal/survey/{token}/")
    expect(page.get_by_role("heading", name="客户服务调查表")).to_be_visible()
    questions = page.get_by_test_id("question")
    expect(questions).to_have_count(template.questions.count())

    # Submitting with nothing chosen shows what is missing, and keeps the page.
    page.get_by_test_id("survey-submit").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()

    scale = template.questions.filter(kind="scale").order_by("position", "id")
    for index, question in enumerate(scale):
        label = "非常好" if index % 2 == 0 else "相当好"
        page.locator(f"fieldset:has(legend:has-text('{question.text}')) label", has_text=label).first.click()
    page.locator("fieldset:has(legend:has-text('推荐')) label", has_text="9").first.click()
    page.get_by_role("textbox").fill("司机很准时，希望物流信息更新再快一点")
    # Nothing overflows the phone's width, even the 0-10 row.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "kefu-survey-phone.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_test_id("survey-submit").click()
    expect(page.get_by_test_id("survey-thanks")).to_be_visible()

    response = Response.objects.get()
    assert response.customer == customer
    assert response.comment == "司机很准时，希望物流信息更新再快一点"
    assert response.index_score is not None and response.index_score > 85

    # The link works once.
    page.goto(f"/portal/survey/{token}/")
    expect(page.get_by_test_id("survey-refused")).to_be_visible()
    assert Response.objects.count() == 1
    assert page.js_errors == []
