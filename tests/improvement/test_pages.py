"""The improvement pages: the nav tab, starting a cycle (and refusing a bad one), the cycle page with the
chain of steps, and the printed 改进表 as PDF and Excel in the seed's layout."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from kefu.improvement import services
from kefu.improvement.models import Cycle

pytestmark = pytest.mark.django_db


def test_the_standards_area_links_to_the_improvement_loop(client_for):
    body = client_for("cs_manager").get("/standards/").content.decode()
    assert 'href="/improvement/"' in body
    assert client_for("sales_rep").get("/improvement/").status_code == 403


def test_starting_a_cycle_and_refusing_bad_periods(client_for, march):
    manager = client_for("cs_manager")
    answer = manager.post(
        "/improvement/new/", {"name": "三月", "start": "2026-03-01", "end": "2026-03-31", "customer_type": "private"}
    )
    cycle = Cycle.objects.get()
    assert answer.status_code == 302 and answer.url == f"/improvement/{cycle.pk}/"
    twice = manager.post(
        "/improvement/new/", {"name": "again", "start": "2026-03-01", "end": "2026-03-31", "customer_type": "private"}
    )
    assert twice.status_code == 400
    backwards = manager.post("/improvement/new/", {"name": "x", "start": "2026-03-31", "end": "2026-03-01"})
    assert backwards.status_code == 400
    assert manager.post("/improvement/new/", {"name": "x", "start": "March", "end": "2026-03-01"}).status_code == 400
    assert (
        manager.post(
            "/improvement/new/", {"name": "x", "start": "2026-03-01", "end": "2026-03-02", "customer_type": "alien"}
        ).status_code
        == 400
    )
    assert client_for("agent").post("/improvement/new/", {}).status_code == 403
    assert Cycle.objects.count() == 1
    listing = manager.get("/improvement/", {"q": "三月"}).content.decode()
    assert cycle.number in listing
    export = manager.get("/improvement/", {"format": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_cycle_page_shows_the_chain_of_steps(client_for, plan):
    body = client_for("dept_manager").get(f"/improvement/{plan.cycle_id}/").content.decode()
    for step in ("1", "2", "3", "4", "5", "6", "7"):
        assert f'data-step="{step}"' in body
    assert 'href="/standards/versions/' in body and f'href="/improvement/plans/{plan.pk}/"' in body
    assert f'href="/improvement/{plan.cycle_id}/analysis/"' in body
    assert plan.number in body


def test_the_evaluation_of_the_period_is_step_four(people, cycle, departments):
    """A 民营 cycle in March finds the March evaluation made for 民营 customers, not one of another type."""
    from kefu.audits import services as audits
    from kefu.improvement.selectors import cycle_steps

    def evaluation(customer_type):
        return audits.evaluation_create(
            actor=people["supervisor"],
            data={
                "period_start": dt.date(2026, 3, 1),
                "period_end": dt.date(2026, 3, 31),
                "filled_on": dt.date(2026, 4, 3),
                "customer_type": customer_type,
                "departments": [departments["transport"]],
            },
        )

    assert cycle_steps(user=people["cs_manager"], cycle=cycle)[3].state == "waiting"
    evaluation("foreign")
    mine = evaluation("private")
    step = cycle_steps(user=people["cs_manager"], cycle=cycle)[3]
    assert (step.number, step.state, step.url) == (4, "current", f"/audits/evaluations/{mine.pk}/")
    assert mine.number in step.summary


def test_plan_form_downloads_as_pdf_with_its_chinese_text(client_for, plan, people, transport_manager):
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    services.plan_approve(actor=people["cs_manager"], plan=plan, version=None)
    from pypdf import PdfReader

    answer = client_for("cs_manager").get(f"/improvement/plans/{plan.pk}/print/", {"format": "pdf"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = text.replace(" ", "")  # the title is letter-spaced
    for expected in (
        "客户服务改进表",
        "编号",
        "日期",
        "服务改进项目",
        "改进前服务指标",
        "改进后服务指标",
        "客户服务部经理",
        "相关部门经理",
        "总经理",
        "填写人",
        "客户投诉率",
        "加强装卸培训",
        "100.00",
        plan.number,
    ):
        assert expected in text, expected


def test_plan_form_downloads_as_excel_in_the_seed_layout(client_for, plan):
    from openpyxl import load_workbook

    answer = client_for("cs_manager").get(f"/improvement/plans/{plan.pk}/print/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[cell for cell in row if cell not in (None, "")] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["客户服务改进表"]
    assert rows[1][0] == f"编号: {plan.number}" and rows[1][-1].startswith("日期: ")
    assert rows[2][:4] == ["序号", "服务改进项目", "改进前服务指标", "改进后服务指标"]
    assert rows[3][:3] == [1, "客户投诉率", 100]
    assert [cell.split(":")[0] for cell in rows[-1]] == ["客户服务部经理", "相关部门经理", "总经理", "填写人"]
    page = client_for("cs_manager").get(f"/improvement/plans/{plan.pk}/print/").content.decode()
    assert "客户服务改进表" in page and "实施起止日期" in page


def test_period_presets_fill_the_new_cycle_form(client_for):
    body = client_for("cs_manager").get("/improvement/", {"start": "2026-07-01", "end": "2026-09-30"}).content.decode()
    assert 'value="2026-07-01"' in body and 'value="2026-09-30"' in body
    assert "?start=" in body  # the preset links
