"""Excel/CSV import with a row-by-row report (all or nothing, or the valid rows), and the Excel export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from kefu.accounts.models import Role
from kefu.core.models import AuditEvent
from kefu.customers.models import AccessLog, Contact, Customer
from kefu.customers.services import contact_add
from tests.conftest import make_user
from tests.customers.factories import make_customer

# field codes of the columns used below, and the same columns by their zh-Hans labels
CODES = [
    "name",
    "ownership",
    "region",
    "registration_number",
    "cooperation_start",
    "annual_amount",
    "is_key",
    "contact_name",
    "contact_mobile",
]
ZH_HEADER = [
    "名称",
    "企业性质",
    "地区",
    "统一社会信用代码",
    "合作起始日期",
    "年业务额（万元）",
    "重点客户",
    "联系人姓名",
    "联系人手机",
]

GOOD_ROWS = [
    ["杭州顺风物流有限公司", "民营", "浙江", "91330100MA27XYZ01A", "2019-05-01", "620", "否", "陈静", "13812340001"],
    ["成都天府冷链公司", "state", "sichuan", "91510100MA61XYZ02B", "", "80", "是", "刘洋", "13812340002"],
    ["王大锤", "个人", "北京", "", "2024/03/15", "0", "", "", ""],
]
BAD_ROWS = [
    ["苏州好运物流", "民营", "江苏", "91320500MA1XYZ003C", "", "10", "否", "赵敏", "12345"],  # row 3: bad phone
    ["火星快运", "民营", "火星", "", "", "10", "否", "", ""],  # row 4: unknown region label
    ["重复登记公司", "民营", "浙江", "91330100MA27XYZ01A", "", "10", "否", "", ""],  # row 5: duplicate of row 2
    ["日期不对公司", "民营", "浙江", "", "2024-13-45", "10", "否", "", ""],  # row 6: bad date
]
MIXED = [GOOD_ROWS[0], *BAD_ROWS, GOOD_ROWS[1]]  # rows 2..7
EXPECTED_ERRORS = [(3, "mobile"), (4, "region"), (5, "registration_number"), (6, "cooperation_start")]


def xlsx_file(header: list[str], rows: list[list[str]], name: str = "customers.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_bytes(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue()


def upload(client, file, *, valid_only: bool = False):
    data = {"file": file}
    if valid_only:
        data["valid_only"] = "on"
    return client.post("/customers/import/", data)


def report_errors(response) -> list[tuple[int, str]]:
    return [(row, field) for row, field, _message in response.context["report"].errors]


def test_xlsx_with_zh_hans_headers_imports_every_row(people, client_for):
    response = upload(client_for("supervisor"), xlsx_file(ZH_HEADER, GOOD_ROWS))
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.total_rows, report.errors) == (3, 3, [])

    shunfeng = Customer.objects.get(name="杭州顺风物流有限公司")
    # 620 (10k CNY), cooperating since 2019, default credit A: rule 30 (≥200, ≥3 years, ≥A) → A
    assert (shunfeng.ownership, shunfeng.region, shunfeng.grade) == ("private", "zhejiang", "A")
    assert (shunfeng.kind, shunfeng.credit_rating) == ("company", "A")  # columns absent: model defaults
    assert str(shunfeng.cooperation_start) == "2019-05-01"
    assert Contact.objects.get(customer=shunfeng).mobile == "13812340001"
    assert Customer.objects.get(name="成都天府冷链公司").grade == "A"  # key customer
    assert str(Customer.objects.get(name="王大锤").cooperation_start) == "2024-03-15"
    # imported customers are searchable at once, and the import is on record
    page = client_for("cs_manager").get("/customers/", {"q": "冷链"})
    assert [c.name for c in page.context["page"].object_list] == ["成都天府冷链公司"]
    assert AccessLog.objects.filter(action="import", user=people["supervisor"]).count() == 1
    assert AuditEvent.objects.filter(action="customers.customer.imported").count() == 1


def test_csv_with_utf8_bom_crlf_and_field_code_headers_imports(client_for):
    content = ("\ufeff" + csv_bytes(CODES, GOOD_ROWS)).encode("utf-8")
    response = upload(client_for("supervisor"), SimpleUploadedFile("customers.csv", content))
    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert Customer.objects.filter(name="杭州顺风物流有限公司").exists()
    # the BOM did not end up glued to the first header (the name column was recognised)
    assert not Customer.objects.filter(name="").exists()


def test_gb18030_csv_from_excel_on_windows_imports(client_for):
    content = csv_bytes(ZH_HEADER, GOOD_ROWS).encode("gb18030")
    response = upload(client_for("supervisor"), SimpleUploadedFile("客户.csv", content))
    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert Customer.objects.filter(name="成都天府冷链公司", region="sichuan").exists()


def test_english_labels_are_accepted_as_headers(client_for):
    with translation.override("en"):
        header = [str(Customer._meta.get_field(n).verbose_name) for n in ("name", "ownership", "region")]
    response = upload(client_for("supervisor"), xlsx_file(header, [["Acme Ltd", "Foreign-owned", "Shanghai"]]))
    assert response.context["report"].created == 1
    assert Customer.objects.get(name="Acme Ltd").ownership == "foreign"


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_file_with_bad_rows_reports_each_row_and_field_and_imports_nothing(client_for, kind):
    file = (
        xlsx_file(ZH_HEADER, MIXED)
        if kind == "xlsx"
        else SimpleUploadedFile("c.csv", ("\ufeff" + csv_bytes(ZH_HEADER, MIXED)).encode())
    )
    response = upload(client_for("supervisor"), file)
    assert response.status_code == 400
    report = response.context["report"]
    assert report_errors(response) == EXPECTED_ERRORS
    assert report.created == 0 and report.total_rows == 6
    assert Customer.objects.count() == 0
    assert AccessLog.objects.count() == 0
    html = response.content.decode()
    assert "火星" in html  # the message names the bad value


def test_valid_only_imports_the_good_rows_and_reports_the_bad(client_for):
    response = upload(client_for("supervisor"), xlsx_file(ZH_HEADER, MIXED), valid_only=True)
    assert response.status_code == 200
    report = response.context["report"]
    assert report_errors(response) == EXPECTED_ERRORS
    assert report.created == 2
    assert set(Customer.objects.values_list("name", flat=True)) == {"杭州顺风物流有限公司", "成都天府冷链公司"}


def test_registration_number_already_in_the_archive_is_a_bad_row(client_for):
    make_customer(name="老客户", registration_number="91330100MA27XYZ01A")
    response = upload(client_for("supervisor"), xlsx_file(ZH_HEADER, GOOD_ROWS[:2]))
    assert report_errors(response) == [(2, "registration_number")]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("customers.txt", b"name\nx\n"),
        ("customers.xlsx", b"not a zip file"),
        ("customers.csv", b""),
        ("customers.csv", "城市,地址\r\n上海,x\r\n".encode()),  # no name column
    ],
)
def test_unreadable_files_are_refused_with_a_message(client_for, name, content):
    response = upload(client_for("supervisor"), SimpleUploadedFile(name, content))
    assert response.status_code == 400
    assert response.context["form"].errors
    assert Customer.objects.count() == 0


def test_import_template_headers_are_read_back_by_the_importer(client_for):
    """The blank template's header row is accepted as is."""
    template = client_for("supervisor").get("/customers/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    row = {"名称": "模板客户", "企业性质": "民营", "地区": "上海"}
    assert set(row) <= set(header)
    values = [row.get(h, "") for h in header]
    response = upload(client_for("supervisor"), xlsx_file(header, [values]))
    assert response.context["report"].created == 1


# ---------------------------------------------------------------- export


def read_export(response) -> list[dict[str, object]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


@pytest.fixture
def exportable(db):
    zhejiang = make_customer(name="杭州出口甲", region="zhejiang", contacts=[{"name": "陈", "mobile": "13812345678"}])
    contact_add(actor=None, customer=zhejiang, data={"name": "次要", "mobile": "13900000000"})
    make_customer(name="成都出口乙", region="sichuan")
    return zhejiang


def test_export_rows_match_the_filters_and_show_phones_to_the_cs_manager(exportable, client_for):
    with translation.override("zh-hans"):
        rows = read_export(client_for("cs_manager").get("/customers/export.xlsx", {"region": "zhejiang"}))
    assert [r["名称"] for r in rows] == ["杭州出口甲"]
    assert rows[0]["地区"] == "浙江"
    assert rows[0]["联系人手机"] == "13812345678"  # the primary contact
    assert rows[0]["客户编号"] == exportable.number


@pytest.mark.parametrize("role", ["marketing_director", "general_manager"])
def test_export_masks_phones_for_roles_without_view_sensitive(exportable, client_for, role):
    rows = read_export(client_for(role).get("/customers/export.xlsx", {"q": "出口"}))
    assert {r["名称"] for r in rows} == {"杭州出口甲", "成都出口乙"}
    mobiles = {r["名称"]: r["联系人手机"] for r in rows}
    assert mobiles["杭州出口甲"] == "138****5678"


def test_export_is_limited_to_what_the_exporter_may_see(exportable, departments, teams, people):
    """A supervisor outside customer service exports only their own department's customers."""
    sales_supervisor = make_user("sales_supervisor", Role.SUPERVISOR, departments["sales"], teams["sales_north"])
    in_scope = make_customer(name="华北出口丙", team=teams["sales_north"])
    client = Client()
    client.force_login(sales_supervisor)
    rows = read_export(client.get("/customers/export.xlsx"))
    assert [r["名称"] for r in rows] == [in_scope.name]
