"""The complaint loop in a real browser: the customer submits on the portal, staff take it through
判断 → 接单 → 调查 → 方案 → 审批 → 实施, the customer accepts on the tracking page, then 回访 → 结案."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kefu.accounts.models import Role
from kefu.tickets.choices import CaseStatus
from kefu.tickets.models import Case
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _step(page, name: str, fields: dict[str, str], selects: dict[str, str] | None = None) -> None:
    form = page.locator(f"form[data-step={name}]")
    for field, value in (selects or {}).items():
        form.locator(f"[name={field}]").select_option(value)
    for field, value in fields.items():
        form.locator(f"[name={field}]").fill(value)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def _switch(page, login, user) -> None:
    page.context.clear_cookies()
    login(user)


def test_a_hard_complaint_goes_round_the_whole_loop(page, login, people, teams, departments):
    transport = make_user("e2e_transport", Role.AGENT, departments["transport"])

    # The customer, not logged in, submits on the portal and keeps the tracking link.
    page.goto("/portal/")
    page.get_by_text("投诉货物问题").click()
    page.get_by_label("标题").fill("货物外箱破损")
    page.get_by_label("具体情况").fill("收货时发现三箱外包装压坏，内件受潮。")
    page.get_by_label("您的姓名").fill("李女士")
    page.get_by_label("手机号码").fill("13912345678")
    with page.expect_navigation():
        page.get_by_test_id("portal-submit").click()
    tracking = page.get_by_test_id("track-url").input_value()
    case = Case.objects.get(title="货物外箱破损")
    assert (case.channel, case.nature) == ("portal", "hard")

    login(people["agent"])
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_test_id("clocks")).to_contain_text(":")  # the time limits are shown with their due times
    _step(
        page,
        "judge",
        {"note": "情况属实，转运输配送部处理"},
        {"valid": "1", "department": str(departments["transport"].pk)},
    )
    _switch(page, login, transport)
    page.goto(f"/cases/{case.pk}/")
    _step(page, "accept", {})
    _step(page, "investigate", {"cause": "装车时未加固，途中挤压"})
    _step(page, "propose", {"description": "按货值赔偿 800 元", "compensation_amount": "800"}, {"kind": "compensation"})

    _switch(page, login, people["supervisor"])
    page.goto(f"/cases/{case.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("approve-solution").click()

    _switch(page, login, transport)
    page.goto(f"/cases/{case.pk}/")
    _step(page, "implement", {"note": "已线下赔付 800 元", "penalty": "装车组扣绩效"})

    # Back to the customer: the solution is on the tracking page; they accept it.
    page.context.clear_cookies()
    page.goto(tracking)
    expect(page.get_by_test_id("solution")).to_contain_text("800")
    with page.expect_navigation():
        page.get_by_test_id("form-accept").locator("button[type=submit]").click()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED

    login(people["agent"])
    page.goto(f"/cases/{case.pk}/")
    _step(page, "follow_up", {"note": "客户表示满意"}, {"satisfaction": "satisfied"})

    _switch(page, login, people["supervisor"])
    page.goto(f"/cases/{case.pk}/")
    _step(page, "close", {"root_cause": "装车规范未执行", "lesson": "装车前检查加固"})

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.satisfaction == "satisfied" and case.penalty == "装车组扣绩效"
    page.context.clear_cookies()
    page.goto(tracking)
    expect(page.get_by_test_id("case-status")).to_have_text("已结案")
    assert not page.js_errors
