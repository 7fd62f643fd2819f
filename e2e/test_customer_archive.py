"""The customer archive in a real browser: log in, create, find by a Chinese keyword, switch language;
the home page charts; a change request filed by staff outside customer service."""

from __future__ import annotations

import os
import re
import tempfile
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from kefu.accounts.models import Role
from kefu.customers import services
from kefu.customers.choices import ChangeStatus
from kefu.customers.models import ChangeRequest, Customer

# Transactional (the live server runs in another thread); serialized_rollback restores the rows the
# migrations seed (departments, grade rules) in case an earlier transactional test flushed them.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Look at it after a run: it shows the search results in Chinese (CJK fonts, layout).
SCREENSHOT = os.environ.get("KEFU_E2E_SCREENSHOT", os.path.join(tempfile.gettempdir(), "kefu-e2e.png"))
COMPANY = "苏州恒通物流有限公司"


def archive(name: str, team, **extra) -> Customer:
    data = {"name": name, "ownership": "private", "region": "jiangsu", "city": "苏州", "team": team, **extra}
    return services.customer_create(actor=None, data=data)


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def test_agent_logs_in_creates_a_customer_finds_it_by_chinese_keyword_and_switches_to_english(
    page, login, people, teams
):
    agent = people["agent"]
    assert agent.role == Role.AGENT and agent.department.code == "cs"
    # A customer of the same team without the keyword: the search must leave it out.
    archive("杭州万达纺织有限公司", teams["cs_east"], region="zhejiang", city="杭州")

    login(agent)
    nav = page.locator("nav.navbar")
    assert html_lang(page) == "zh-hans", "the UI speaks Simplified Chinese by default"
    expect(nav.get_by_role("link", name="客户", exact=True)).to_be_visible()

    # New customer form.
    page.goto("/customers/new/")
    page.fill("#id_name", COMPANY)
    page.select_option("#id_ownership", "private")
    page.select_option("#id_region", "jiangsu")
    page.fill("#id_city", "苏州")
    page.fill("#id_address", "苏州工业园区星湖街 328 号")
    page.select_option("#id_team", str(teams["cs_east"].pk))
    page.fill("#id_contact-name", "王建国")
    page.fill("#id_contact-mobile", "13912345678")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    assert re.search(r"/customers/\d+/$", page.url), f"expected the detail page, got {page.url}"
    expect(page.get_by_test_id("customer-name")).to_contain_text(COMPANY)
    expect(page.locator("main")).to_contain_text("王建国")

    customer = Customer.objects.get(name=COMPANY)
    assert page.url.endswith(f"/customers/{customer.pk}/")
    assert customer.team_id == teams["cs_east"].pk
    assert customer.contacts.get().name == "王建国"

    # The list, then the Chinese keyword typed into the search box; HTMX swaps the results in place.
    page.goto("/customers/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    page.evaluate("window.__sameDocument = true")
    search = page.locator("#q")
    search.click()
    with page.expect_response(lambda r: "/customers/" in r.url and "q=" in r.url) as answer:
        search.press_sequentially("物流")
        search.press("End")  # an IME commits with a keyup; htmx searches on keyup
    assert answer.value.request.headers.get("hx-request") == "true", "the search should go through HTMX"
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(COMPANY)
    expect(rows.first).to_contain_text(customer.number)
    expect(page.locator("#results")).not_to_contain_text("纺织")
    assert page.evaluate("window.__sameDocument === true"), "results must be swapped in, not a page reload"
    assert "q=" in page.url, "the search is pushed to the address bar"
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Switch the UI to English with the navbar's language select (it submits its form).
    with page.expect_navigation():
        nav.locator("select[name=language]").select_option("en")
    assert html_lang(page) == "en"
    expect(nav.get_by_role("link", name="Customers", exact=True)).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Customer archive")
    agent.refresh_from_db()
    assert agent.language == "en", "the choice is remembered on the user"
    assert not page.js_errors, page.js_errors


def test_supervisor_home_page_draws_the_charts(page, login, people, teams):
    for name, extra in [
        ("上海安达物流有限公司", {"is_key": True}),
        ("南京顺和货运有限公司", {"region": "jiangsu"}),
        ("广州华南冷链有限公司", {"region": "guangdong", "city": "广州"}),
    ]:
        archive(name, teams["cs_east"], **extra)

    login(people["supervisor"])
    assert urlsplit(page.url).path == "/", f"login should land on the home page, not {page.url}"
    expect(page.get_by_test_id("total-customers")).to_have_text("3")
    for chart in ("chart-grade", "chart-region", "chart-channel", "chart-months"):
        expect(page.locator(f"#{chart} canvas").first).to_be_attached()
    canvas = page.locator("#chart-grade canvas").first
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, box
    assert not page.js_errors, page.js_errors


def test_sales_staff_editing_a_customer_files_a_pending_change_request(page, login, people, teams):
    sales = people["sales_rep"]
    assert sales.role == Role.AGENT and sales.department.code == "sales"
    customer = archive("无锡远航物流有限公司", teams["sales_north"], city="无锡")

    login(sales)
    page.goto(f"/customers/{customer.pk}/edit/")
    form = page.get_by_test_id("customer-form")
    expect(page.locator("main .alert-info")).to_be_visible()  # "you are not in customer service" notice
    expect(form.locator("#id_reason")).to_be_visible()
    page.fill("#id_city", "江阴")
    page.fill("#id_reason", "客户来电告知已搬迁至江阴，已核对营业执照。")
    with page.expect_navigation():
        page.get_by_test_id("save").click()
    assert page.url.endswith(f"/customers/{customer.pk}/"), page.url

    request = ChangeRequest.objects.get(customer=customer)
    assert request.status == ChangeStatus.PENDING
    assert request.submitted_by == sales
    assert request.changes == {"city": "江阴"}
    customer.refresh_from_db()
    assert customer.city == "无锡", "nothing changes before customer service verifies and approves"
    assert not page.js_errors, page.js_errors
