"""Standards API: KPI measurement of a period against the standard in force, and the indicator catalogue."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from kefu.api.schemas import ErrorOut
from kefu.core.services import PermissionDeniedError
from kefu.customers.choices import Ownership
from kefu.customers.filters import MAX_ID
from kefu.standards import selectors, services

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
    computed_at: dt.datetime | None = Field(None, description="When the stored figures were computed")
    provisional: bool = Field(False, description="Computed before the period ended: later records are not in it")
    standard_id: int | None
    standard_number: str | None
    standard_version: int | None
    customer_types: list[str]
    departments: list[DepartmentOut]


class KpiPendingOut(Schema):
    start: dt.date
    end: dt.date
    detail: str
    requested_at: dt.datetime | None


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


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


def _pending(snapshot: Any) -> Status:
    return Status(
        202,
        {
            "start": snapshot.start,
            "end": snapshot.end,
            "detail": _("The figures of this period are being computed; ask again in a moment."),
            "requested_at": snapshot.requested_at,
        },
    )


@router.get("/kpi", response={200: KpiOut, 202: KpiPendingOut, **ERRORS}, summary="KPI measurement of a period")
def kpi(request: HttpRequest, filters: Query[KpiFilters]) -> Any:
    """Actual value, target in force at the start of the period, attainment per customer type, and each
    department's weighted score (0-100), read from the period's stored figures. A period never measured
    before is queued for the worker and answers 202 until its figures are stored."""
    _require(request, "standards.view_standards")
    start, end = selectors.default_period(timezone.localdate())
    start, end = filters.start or start, filters.end or end
    start, end = min(start, end), max(start, end)
    snapshot, usable = services.kpi_snapshot_to_read(actor=request.user, start=start, end=end)
    if not usable:
        return _pending(snapshot)
    report = selectors.kpi_report_stored(
        snapshot, customer_type=filters.customer_type or "", department_id=filters.department_id
    )
    standard = report.standard
    return {
        "start": start,
        "end": end,
        "computed_at": snapshot.computed_at,
        "provisional": selectors.snapshot_is_provisional(snapshot),
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


@router.post(
    "/kpi/recompute", response={200: KpiOut, 202: KpiPendingOut, **ERRORS}, summary="Recompute a period's KPIs"
)
def kpi_recompute(request: HttpRequest, payload: PeriodIn) -> Any:
    """Measure the period again (late records, a corrected reading): queued for the worker (202). Managers
    only."""
    start, end = min(payload.start, payload.end), max(payload.start, payload.end)
    snapshot = services.kpi_snapshot_request(actor=request.user, start=start, end=end, force=True)
    if snapshot.requested_at is not None:
        return _pending(snapshot)
    return kpi(request, KpiFilters(start=start, end=end))


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS}, summary="The indicator catalogue")
def indicators(request: HttpRequest) -> Any:
    _require(request, "standards.view_standards")
    return list(selectors.indicators_list())
