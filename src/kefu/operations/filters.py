"""The one filter definition of each operations list, shared by its page, its export and the API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.operations.choices import ClaimStatus, ExceptionKind, OrderStatus, ShipmentStatus, VehicleType

MAX_ID = 2**63 - 1
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)  # dates a database converts without overflow


class _Filters(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field(
        "",
        max_length=100,
        description="A number (exact), or words of the goods, places, customer's name or exception description",
    )
    customer: int | None = Field(None, ge=1, le=MAX_ID)
    date_from: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)
    date_to: dt.date | None = Field(None, ge=EARLIEST, le=LATEST)

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_any(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("q")
    @classmethod
    def no_none_query(cls, value: str | None) -> str:
        return value or ""


class OrderFilters(_Filters):
    status: OrderStatus | None = None
    vehicle_type: VehicleType | None = None
    is_custom: bool | None = None


class ShipmentFilters(_Filters):
    status: ShipmentStatus | None = None
    on_time: bool | None = None
    intact: bool | None = None
    vehicle_type: VehicleType | None = None


class ExceptionFilters(_Filters):
    kind: ExceptionKind | None = None


class ClaimFilters(_Filters):
    status: ClaimStatus | None = None


class AfterSalesFilters(_Filters):
    status: str | None = Field(None, max_length=20)
