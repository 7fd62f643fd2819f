"""Standards API: KPI measurement of a period against the standard in force, and the indicator catalogue."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.customers.choices import Ownership
from kefu.customers.filters import MAX_ID
from kefu.standards import selectors

router = Router(tags=["standards"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class KpiFilters(Schema):
    start: dt.date | None = Field(None, description="First day (default: the first day of last month)")
    end: dt.date | None = Field(None, description="Last day, inclusive (default: the last day of last month)")
    customer_type: Ownership | None = None
    department_id: int | None = Field(None, ge=1, le=MAX_ID)

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_any(cls, value: object) -> object:
        return None if value == "" else value


class CellOut(Schema):
    customer_type: str
    actual: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    attained: bool | None


class ItemOut(Schema):
    indicator_code: str
    indicator_name: str
    unit: str
    direction: str
    weight: Decimal
    overall: Decimal | None
    by_customer_type: bool
    cells: list[CellOut]


class DepartmentOut(Schema):
    department_id: int
    department_name: str
    items: list[ItemOut]
    scores: dict[str, Decimal | None]


class KpiOut(Schema):
    start: dt.date
    end: dt.date
    standard_id: int | None
    standard_number: str | None
    standard_version: int | None
    customer_types: list[str]
    departments: list[DepartmentOut]


class IndicatorOut(Schema):
    id: int
    code: str
    name: str
    department_id: int
    unit: str
    direction: str
    measurement: str
    computation: str
    is_active: bool
    version: int


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDeniedError()


def _item(result: selectors.ItemResult) -> dict[str, Any]:
    indicator = result.item.indicator
    return {
        "indicator_code": indicator.code,
        "indicator_name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "weight": result.item.weight,
        "overall": result.overall.value if result.overall else None,
        "by_customer_type": bool(result.computation and result.computation.by_customer_type),
        "cells": [
            {
                "customer_type": t,
                "actual": cell.actual.value if cell.actual else None,
                "numerator": cell.actual.numerator if cell.actual else None,
                "denominator": cell.actual.denominator if cell.actual else None,
                "target": cell.target,
                "attained": cell.attained,
            }
            for t, cell in result.cells.items()
        ],
    }


@router.get("/kpi", response={200: KpiOut, **ERRORS}, summary="KPI measurement of a period")
def kpi(request: HttpRequest, filters: Query[KpiFilters]) -> Any:
    """Actual value, target in force at the start of the period, attainment per customer type, and each
    department's weighted score (0-100)."""
    _require(request, "standards.view_standards")
    start, end = selectors.default_period(timezone.localdate())
    start, end = filters.start or start, filters.end or end
    start, end = min(start, end), max(start, end)
    report = selectors.kpi_report(
        start=start, end=end, customer_type=filters.customer_type or "", department_id=filters.department_id
    )
    standard = report.standard
    return {
        "start": start,
        "end": end,
        "standard_id": standard.pk if standard else None,
        "standard_number": standard.number if standard else None,
        "standard_version": standard.version_no if standard else None,
        "customer_types": report.types,
        "departments": [
            {
                "department_id": d.department.pk,
                "department_name": d.department.name,
                "items": [_item(r) for r in d.items],
                "scores": d.scores,
            }
            for d in report.departments
        ],
    }


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS}, summary="The indicator catalogue")
def indicators(request: HttpRequest) -> Any:
    _require(request, "standards.view_standards")
    return list(selectors.indicators_list())
