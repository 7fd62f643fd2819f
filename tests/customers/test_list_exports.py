"""Excel downloads of the access log and the change-request list."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from kefu.customers.services import change_request_submit
from tests.customers.factories import make_customer


def _rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return list(sheet.iter_rows(values_only=True))


def test_access_log_export_lists_who_viewed_which_customer(people, teams, client_for):
    """Viewing a customer then exporting the log gives a row naming the viewer and the customer."""
    customer = make_customer(name="上海查阅测试有限公司", team=teams["cs_east"])
    client_for("agent").get(f"/customers/{customer.pk}/")
    rows = _rows(client_for("cs_manager").get("/customers/access-log/?format=xlsx"))
    assert len(rows) == 2
    assert rows[1][1] == "agent" and rows[1][3] == "上海查阅测试有限公司"


def test_access_log_export_is_refused_without_the_right(client_for):
    assert client_for("agent").get("/customers/access-log/?format=xlsx").status_code == 403


def test_change_request_export_follows_the_status_filter(people, teams, client_for):
    """Pending requests are exported with the fields they change; an approved-only export is empty."""
    customer = make_customer(name="无锡变更导出有限公司", team=teams["cs_east"], account_manager=people["sales_rep"])
    change_request_submit(actor=people["sales_rep"], customer=customer, changes={"city": "无锡"}, reason="搬迁")
    pending = _rows(client_for("supervisor").get("/customers/changes/?status=pending&format=xlsx"))
    assert [r[2] for r in pending[1:]] == ["无锡变更导出有限公司"]
    assert pending[1][4] == "搬迁"
    approved = _rows(client_for("supervisor").get("/customers/changes/?status=approved&format=xlsx"))
    assert approved[1:] == []
