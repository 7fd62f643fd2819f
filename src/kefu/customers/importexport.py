"""Excel/CSV files of the archive: reading an import, writing an export or the blank template.

Columns are recognised by the field code (``name``) or its label in any of Kefu's
languages (名称 / Name / 名稱); choice cells by code or label. Reading only parses:
validation and writing are `services.customers_import`'s job.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from kefu.accounts.models import Team, User
from kefu.core.crypto import mask_id_number, mask_phone
from kefu.core.exports import xlsx_bytes
from kefu.core.services import DomainError
from kefu.customers.models import Contact, Customer

IMPORT_CUSTOMER_FIELDS = (
    "name",
    "kind",
    "short_name",
    "registration_number",
    "id_number",
    "ownership",
    "credit_rating",
    "industry",
    "region",
    "city",
    "address",
    "channel",
    "customer_role",
    "cooperation_mode",
    "cooperation_start",
    "service_type",
    "satisfaction",
    "loyalty",
    "annual_amount",
    "is_key",
    "account_manager",
    "team",
    "notes",
)
IMPORT_CONTACT_FIELDS = ("name", "title", "mobile", "landline", "email", "wechat", "preferred_contact_time")
CONTACT_PREFIX = "contact_"
MAX_IMPORT_ROWS = 20000
_TRUE = {"1", "true", "yes", "y", "是", "√", "x"}
_FALSE = {"0", "false", "no", "n", "否", ""}


def _labels(model: type[Customer] | type[Contact], name: str) -> set[str]:
    field = model._meta.get_field(name)
    labels = {name.lower()}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(field.verbose_name).strip().lower())
    return labels


def column_map() -> dict[str, tuple[str, str]]:
    """Header text (lower-cased) → ("customer" | "contact", field name)."""
    mapping: dict[str, tuple[str, str]] = {}
    for name in IMPORT_CUSTOMER_FIELDS:
        for label in _labels(Customer, name):
            mapping.setdefault(label, ("customer", name))
    for name in IMPORT_CONTACT_FIELDS:
        for label in _labels(Contact, name):
            mapping[CONTACT_PREFIX + label] = ("contact", name)
            mapping.setdefault(label, ("contact", name))
        for code, _label in settings.LANGUAGES:
            with translation.override(code):
                mapping[contact_header(name).lower()] = ("contact", name)
    return mapping


def contact_header(name: str) -> str:
    return gettext("Contact %(field)s") % {"field": Contact._meta.get_field(name).verbose_name}


def _choice_lookup(model: type[Customer], name: str) -> dict[str, str]:
    field = model._meta.get_field(name)
    lookup = {}
    for value, label in field.choices or []:
        lookup[str(value).lower()] = value
        for code, _l in settings.LANGUAGES:
            with translation.override(code):
                lookup[str(label).strip().lower()] = value
    return lookup


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_rows(upload: Any) -> Iterator[list[Any]]:
    name = getattr(upload, "name", "").lower()
    content = upload.read()
    if name.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise DomainError(gettext("The file is not a readable .xlsx workbook."), field="file") from exc
        yield from (list(row) for row in workbook.active.iter_rows(values_only=True))
        return
    if name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DomainError(gettext("The CSV file is neither UTF-8 nor GB18030 text."), field="file")
        yield from csv.reader(io.StringIO(text, newline=""))
        return
    raise DomainError(gettext("Upload an .xlsx or .csv file."), field="file")


def parse_import(
    upload: Any,
) -> tuple[list[tuple[int, dict[str, Any], dict[str, Any]]], list[tuple[int, str, str]]]:
    """Rows as (row number, customer data, contact data) plus errors found while parsing."""
    rows = _read_rows(upload)
    header = next(rows, None)
    if not header:
        raise DomainError(gettext("The file is empty."), field="file")
    mapping = column_map()
    columns: list[tuple[str, str] | None] = [mapping.get(_cell_text(h).lower()) for h in header]
    if not any(c == ("customer", "name") for c in columns):
        raise DomainError(
            gettext("The first row must hold the column names, including the customer name."), field="file"
        )
    choices = {n: _choice_lookup(Customer, n) for n in IMPORT_CUSTOMER_FIELDS if Customer._meta.get_field(n).choices}
    managers = {u.username.lower(): u for u in User.objects.filter(is_active=True)}
    managers.update({u.display_name.lower(): u for u in managers.values() if u.display_name})
    teams = {t.name.lower(): t for t in Team.objects.all()}
    parsed: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    errors: list[tuple[int, str, str]] = []
    for row_number, row in enumerate(rows, start=2):
        if row_number - 1 > MAX_IMPORT_ROWS:
            errors.append((row_number, "", gettext("more than %(n)s rows; split the file") % {"n": MAX_IMPORT_ROWS}))
            break
        cells = [_cell_text(v) for v in row]
        if not any(cells):
            continue
        customer: dict[str, Any] = {}
        contact: dict[str, Any] = {}
        try:
            for column, text in zip(columns, cells, strict=False):
                if column is None:
                    continue
                target, name = column
                if target == "contact":
                    contact[name] = text
                    continue
                if text == "" and Customer._meta.get_field(name).has_default():
                    continue  # a blank cell keeps the field's default (e.g. kind: company)
                customer[name] = _convert(name, text, choices, managers, teams)
        except DomainError as exc:
            errors.append((row_number, exc.field or "", exc.message))
            continue
        parsed.append((row_number, customer, contact))
    return parsed, errors


def _convert(
    name: str,
    text: str,
    choices: dict[str, dict[str, str]],
    managers: dict[str, User],
    teams: dict[str, Team],
) -> Any:
    if name in choices:
        if text == "":
            return ""
        value = choices[name].get(text.lower())
        if value is None:
            raise DomainError(gettext("“%(text)s” is not a known value") % {"text": text}, field=name)
        return value
    if name == "is_key":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise DomainError(gettext("“%(text)s” is not yes/no") % {"text": text}, field=name)
    if name == "annual_amount":
        try:
            return Decimal(text or "0")
        except ArithmeticError as exc:
            raise DomainError(gettext("“%(text)s” is not a number") % {"text": text}, field=name) from exc
    if name == "cooperation_start":
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text.replace("/", "-"))
        except ValueError as exc:
            raise DomainError(gettext("“%(text)s” is not a date (YYYY-MM-DD)") % {"text": text}, field=name) from exc
    if name == "account_manager":
        if not text:
            return None
        if text.lower() not in managers:
            raise DomainError(gettext("no active staff member “%(text)s”") % {"text": text}, field=name)
        return managers[text.lower()]
    if name == "team":
        if not text:
            return None
        if text.lower() not in teams:
            raise DomainError(gettext("no team “%(text)s”") % {"text": text}, field=name)
        return teams[text.lower()]
    return text


EXPORT_FIELDS = ("number", "grade", *IMPORT_CUSTOMER_FIELDS)


def _export_header() -> list[str]:
    header = [capfirst(Customer._meta.get_field(n).verbose_name) for n in EXPORT_FIELDS]
    header += [contact_header(n) for n in IMPORT_CONTACT_FIELDS]
    return header


def _export_value(customer: Customer, name: str) -> Any:
    value = getattr(customer, name)
    display = getattr(customer, f"get_{name}_display", None)
    if display is not None and value:
        return str(display())
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    if isinstance(value, User):
        return value.username
    if isinstance(value, Team):
        return value.name
    return value


def _export_rows(customers: QuerySet[Customer], may_see_sensitive: bool, counter: list[int]) -> Iterator[list[Any]]:
    for customer in customers.prefetch_related("contacts").iterator(chunk_size=2000):
        row = [_export_value(customer, n) for n in EXPORT_FIELDS]
        if not may_see_sensitive:
            row[EXPORT_FIELDS.index("id_number")] = mask_id_number(customer.id_number)
        contact = next(iter(customer.contacts.all()), None)
        for name in IMPORT_CONTACT_FIELDS:
            value = getattr(contact, name, "") if contact else ""
            if name in ("mobile", "landline") and not may_see_sensitive:
                value = mask_phone(value)
            row.append(value)
        counter[0] += 1
        yield row


def export_workbook(customers: QuerySet[Customer], *, may_see_sensitive: bool) -> tuple[bytes, int]:
    """An .xlsx of the customers with their primary contact; personal data masked unless allowed."""
    counter = [0]
    content = xlsx_bytes(
        str(Customer._meta.verbose_name_plural),
        _export_header(),
        _export_rows(customers, may_see_sensitive, counter),
    )
    return content, counter[0]


def template_workbook() -> bytes:
    return xlsx_bytes(str(Customer._meta.verbose_name_plural), _export_header()[2:], [])
