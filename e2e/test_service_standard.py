"""The 客户服务标准单 in a real browser: the CS manager drafts a version with the keyboard-friendly item
form, the general manager approves it, and the KPI page measures against it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kefu.accounts.models import Department, Role
from kefu.standards.models import Indicator, Standard
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_draft_approve_and_measure(page, login):
    manager = make_user("e2e_cs_manager", Role.CS_MANAGER, Department.objects.get(code="cs"))
    general_manager = make_user("e2e_gm", Role.GENERAL_MANAGER, None)
    login(manager)
    page.goto("/standards/versions/")
    with page.expect_navigation():
        page.get_by_role("button", name="起草新版本").click()
    rate = Indicator.objects.get(code="complaint_rate")
    form = page.locator("#item-form")
    form.locator("[name=indicator]").select_option(str(rate.pk))
    form.locator("[name=weight]").fill("100")
    form.locator("[name=target_foreign]").fill("1")
    form.locator("[name=target_private]").fill("2")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("table.standard-table")).to_contain_text("客户投诉率")

    standard = Standard.objects.get()
    page.context.clear_cookies()
    login(general_manager)
    page.goto(f"/standards/versions/{standard.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="批准").click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"/standards/versions/{standard.pk}/print/")
    expect(page.locator("body")).to_contain_text("审核人: ")
    page.goto(f"/standards/?start={standard.effective_from:%Y-%m-%d}&end={standard.effective_from:%Y-%m-%d}")
    expect(page.locator("main")).to_contain_text("加权得分")
