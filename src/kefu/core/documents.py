"""The seed's paper forms as printable pages, PDF files and Excel workbooks.

Every form (客户服务标准单, 检查表, 评价表, 改进表 ...) is one template extending ``documents/form.html``:
the browser prints the HTML, WeasyPrint turns the same HTML into a PDF (Noto CJK subset embedded), and
``form_xlsx_bytes`` lays the same header, table and sign-off rows out in a worksheet.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from kefu.core.exports import XLSX

PDF = "application/pdf"


@dataclass(frozen=True)
class FormSheet:
    """What a form holds, in the order the paper form shows it."""

    title: str
    number: str
    date: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    notes: Sequence[tuple[str, str]] = field(default_factory=tuple)
    signoff: Sequence[tuple[str, str]] = field(default_factory=tuple)
    date_label: str = "日期"


def wants(request: HttpRequest, kind: str) -> bool:
    return request.GET.get("format") == kind


def pdf_bytes(html: str) -> bytes:
    # Imported here: WeasyPrint loads Pango on import, which only the PDF download needs.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Templates inline their CSS; fetching nothing keeps a rendered form from reaching the network or disk.
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]


def pdf_response(request: HttpRequest, template_name: str, context: dict[str, Any], filename: str) -> HttpResponse:
    html = render_to_string(template_name, {**context, "for_pdf": True}, request=request)
    response = HttpResponse(pdf_bytes(html), content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def form_xlsx_bytes(sheet: FormSheet) -> bytes:
    """The form as the seed lays it out: title, 编号 and 日期, the boxed table, notes, then the sign-off line."""
    workbook = Workbook()
    ws = workbook.worksheets[0]
    ws.title = sheet.title[:31]
    width = max(len(sheet.header), 2)
    ws.append([sheet.title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"编号: {sheet.number}"] + [""] * (width - 2) + [f"{sheet.date_label}: {sheet.date}"])
    first_table_row = ws.max_row + 1
    ws.append([str(h) for h in sheet.header])
    for row in sheet.rows:
        ws.append(["" if value is None else value for value in row])
    for cells in ws.iter_rows(min_row=first_table_row, max_row=ws.max_row, max_col=width):
        for cell in cells:
            cell.border = _BOX
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in ws[first_table_row]:
        cell.font = Font(bold=True)
    for label, text in sheet.notes:
        ws.append([label, text])
    if sheet.signoff:
        ws.append([])
        ws.append([f"{label}: {name}" for label, name in sheet.signoff])
    for index in range(1, width + 1):
        ws.column_dimensions[ws.cell(row=first_table_row, column=index).column_letter].width = 18
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def form_xlsx_response(sheet: FormSheet, filename: str) -> HttpResponse:
    response = HttpResponse(form_xlsx_bytes(sheet), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
