"""The one filter definition of the customer list, shared by the list page, the export and the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.customers.choices import (
    Channel,
    CooperationMode,
    CreditRating,
    CustomerKind,
    CustomerRole,
    Grade,
    Industry,
    Loyalty,
    Ownership,
    Region,
    Satisfaction,
    ServiceType,
)

MAX_ID = 2**63 - 1  # the largest primary key a database can hold; bigger ids would overflow the query

SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "grade": ("grade", "-created_at", "-id"),
    "-annual_amount": ("-annual_amount", "-id"),
    "annual_amount": ("annual_amount", "id"),
}

CHOICE_FILTERS = {
    "kind": CustomerKind,
    "ownership": Ownership,
    "credit_rating": CreditRating,
    "industry": Industry,
    "region": Region,
    "channel": Channel,
    "customer_role": CustomerRole,
    "cooperation_mode": CooperationMode,
    "service_type": ServiceType,
    "satisfaction": Satisfaction,
    "loyalty": Loyalty,
    "grade": Grade,
}


class CustomerFilters(BaseModel):
    """Query parameters of a customer list; an empty value means "any"."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    q: str = Field("", max_length=100, description="Keywords: name, number, address, contact, or an exact phone")
    kind: CustomerKind | None = None
    ownership: Ownership | None = None
    credit_rating: CreditRating | None = None
    industry: Industry | None = None
    region: Region | None = None
    channel: Channel | None = None
    customer_role: CustomerRole | None = None
    cooperation_mode: CooperationMode | None = None
    service_type: ServiceType | None = None
    satisfaction: Satisfaction | None = None
    loyalty: Loyalty | None = None
    grade: Grade | None = None
    is_key: bool | None = None
    is_active: bool | None = True
    account_manager: int | None = Field(None, ge=1, le=MAX_ID)
    team: int | None = Field(None, ge=1, le=MAX_ID)
    sort: str = "-created_at"

    @field_validator("*", mode="before")
    @classmethod
    def blank_is_any(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("sort")
    @classmethod
    def known_sort(cls, value: str | None) -> str:
        if value is None:
            return "-created_at"
        if value not in SORTS:
            raise ValueError(f"sort must be one of {', '.join(SORTS)}")
        return value

    @field_validator("q")
    @classmethod
    def no_none_query(cls, value: str | None) -> str:
        return value or ""
