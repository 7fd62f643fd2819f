"""The standards pages: nav, versions, editing a draft, approving, the printed 标准单, indicators."""

from __future__ import annotations

import pytest

from kefu.standards.models import Indicator, Standard

pytestmark = pytest.mark.django_db


def test_nav_link_is_live(client_for):
    body = client_for("cs_manager").get("/standards/versions/").content.decode()
    assert 'href="/standards/"' in body


def test_draft_edit_and_approve_through_the_pages(client_for, people):
    manager = client_for("cs_manager")
    created = manager.post("/standards/versions/new/")
    standard = Standard.objects.get()
    assert created.url == f"/standards/versions/{standard.pk}/"
    rate = Indicator.objects.get(code="complaint_rate")
    answer = manager.post(
        created.url,
        {"form": "item", "indicator": rate.pk, "weight": "100", "target_foreign": "1", "version": standard.version},
    )
    assert answer.status_code == 302
    stale = manager.post(
        created.url,
        {"form": "item", "indicator": rate.pk, "weight": "100", "target_foreign": "2", "version": standard.version},
    )
    assert stale.status_code == 409
    standard.refresh_from_db()
    assert manager.post(f"/standards/versions/{standard.pk}/approve/", {"version": standard.version}).status_code == 403
    approve = client_for("general_manager").post(
        f"/standards/versions/{standard.pk}/approve/", {"version": standard.version}
    )
    assert approve.status_code == 302
    standard.refresh_from_db()
    assert standard.status == "approved" and standard.approved_by == people["general_manager"]
    assert client_for("agent").post(created.url, {"form": "header"}).status_code == 403
    detail = manager.get(created.url).content.decode()
    assert "客户投诉率" in detail
    copy = manager.post(f"/standards/versions/{standard.pk}/copy/")
    draft_page = manager.get(copy.url).content.decode()
    assert f'value="{standard.effective_from:%Y-%m-%d}"' in draft_page  # the date field shows its date


def test_print_follows_the_seed_layout(client_for):
    manager = client_for("cs_manager")
    manager.post("/standards/versions/new/")
    standard = Standard.objects.get()
    body = manager.get(f"/standards/versions/{standard.pk}/print/").content.decode()
    for text in ("客户服务标准单", "编号", "日期", "审核人", "填写人", standard.number):
        assert text in body


def _targeted_standard(people):
    from decimal import Decimal

    from kefu.standards import services

    standard = services.standard_draft(actor=people["cs_manager"])
    services.item_save(
        actor=people["cs_manager"],
        standard=standard,
        version=None,
        indicator=Indicator.objects.get(code="inventory_intact"),
        weight=Decimal(100),
        targets={"foreign": "100.00", "private": "99.50"},
    )
    return standard


def test_printed_targets_read_as_plain_numbers(client_for, people):
    standard = _targeted_standard(people)
    body = client_for("cs_manager").get(f"/standards/versions/{standard.pk}/print/").content.decode()
    assert ">100<" in body and ">99.5<" in body and "E+" not in body


def test_standard_form_downloads_as_pdf_with_its_chinese_text(client_for, people):
    import io

    from pypdf import PdfReader

    standard = _targeted_standard(people)
    answer = client_for("cs_manager").get(f"/standards/versions/{standard.pk}/print/", {"format": "pdf"})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    for expected in ("客户服务标准单", "审核人", "填写人", "库存完好率", "99.5", standard.number):
        assert expected in text
    fonts = [
        font.get_object()
        for page in PdfReader(io.BytesIO(answer.content)).pages
        for font in page["/Resources"]["/Font"].values()
    ]
    assert any("CJK" in str(font["/BaseFont"]) for font in fonts), "the Noto CJK font is embedded"


def test_standard_form_downloads_as_excel_in_the_seed_layout(client_for, people):
    import io

    from openpyxl import load_workbook

    standard = _targeted_standard(people)
    answer = client_for("cs_manager").get(f"/standards/versions/{standard.pk}/print/", {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = [[cell for cell in row if cell not in (None, "")] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["客户服务标准单"]
    assert rows[1][0].startswith("编号: " + standard.number) and rows[1][-1].startswith("日期: ")
    assert rows[3][:5] == ["仓储部", "库存完好率", 100, "100", "99.5"]
    assert rows[-1][0].startswith("审核人") and rows[-1][1].startswith("填写人")


def test_indicator_page_documents_the_formula(client_for):
    rate = Indicator.objects.get(code="complaint_rate")
    body = client_for("agent").get(f"/standards/indicators/{rate.pk}/").content.decode()
    assert 'data-testid="formula"' in body
    listing = client_for("agent").get("/standards/indicators/", {"q": "投诉"}).content.decode()
    assert "客户投诉处理时间" in listing and "库存完好率" not in listing


def test_indicator_edit_form_refuses_bad_input(client_for, departments):
    manager = client_for("cs_manager")
    answer = manager.post(
        "/standards/indicators/new/",
        {
            "code": "x1",
            "name": "X",
            "department": departments["cs"].pk,
            "direction": "higher",
            "measurement": "computed",
        },
    )
    assert answer.status_code == 400
    ok = manager.post(
        "/standards/indicators/new/",
        {"code": "x1", "name": "X", "department": departments["cs"].pk, "direction": "higher", "measurement": "manual"},
    )
    assert ok.status_code == 302
    assert client_for("agent").post("/standards/indicators/new/", {}).status_code == 403
    indicator = Indicator.objects.get(code="x1")
    assert client_for("agent").post(f"/standards/indicators/{indicator.pk}/", {}).status_code == 403
