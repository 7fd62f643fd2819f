"""The customer portal on a phone: submit the form, get the tracking link, open it, see 已受理."""

from __future__ import annotations

import os
import tempfile

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from kefu.tickets.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SCREENSHOT_DIR = os.environ.get("KEFU_E2E_SCREENSHOT_DIR", tempfile.gettempdir())
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _portal_ready(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()


def test_a_customer_submits_on_a_phone_and_follows_the_case(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/portal/")
    expect(page.locator("nav.navbar")).to_have_count(0)
    expect(page.get_by_role("heading", name="告诉我们您遇到的问题")).to_be_visible()

    # Keyboard and touch: the type is a labelled radio; pick it by its plain-words label.
    page.get_by_text("投诉货物问题").click()
    page.get_by_label("标题").fill("瓷器破损")
    page.get_by_label("具体情况").fill("今天收到的货物外箱破损，里面的瓷器碎了两件。")
    page.get_by_label("订单号或运单号（选填）").fill("YD20250101001")
    page.set_input_files("#id_uploads", files=[{"name": "破损.png", "mimeType": "image/png", "buffer": PNG}])
    page.get_by_label("您的姓名").fill("李女士")
    page.get_by_label("手机号码").fill("13912345678")
    with page.expect_navigation():
        page.get_by_test_id("portal-submit").click()

    case = Case.objects.get()
    assert (case.channel, case.kind, case.nature) == ("portal", "complaint", "hard")
    assert case.attachments.count() == 1
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    link = page.get_by_test_id("track-url").input_value()
    assert link.endswith(f"/portal/track/{case.tracking_code}/")
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "kefu-portal-submitted.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("open-tracking").click()
    assert page.url == link
    expect(page.get_by_test_id("case-status")).to_have_text("已受理")
    expect(page.get_by_test_id("case-number")).to_have_text(case.number)
    expect(page.locator(".steps li[aria-current=step]")).to_have_text("1已受理")
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=os.path.join(SCREENSHOT_DIR, "kefu-portal-tracking.png"), full_page=True)
    assert page.js_errors == []
