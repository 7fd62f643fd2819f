"""Customer archive API: customers, contacts, grade overrides and change requests."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts.models import Team, User
from kefu.api.pagination import BoundedPageNumberPagination
from kefu.api.schemas import ErrorOut
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.customers import selectors, services
from kefu.customers.choices import (
    AccessAction,
    ChangeStatus,
    Channel,
    CooperationMode,
    CreditRating,
    CustomerKind,
    CustomerRole,
    Industry,
    Loyalty,
    Ownership,
    Region,
    Satisfaction,
    ServiceType,
    VerificationMethod,
)
from kefu.customers.filters import CustomerFilters
from kefu.customers.models import ChangeRequest, Contact, Customer

router = Router(tags=["customers"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class ContactIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    title: str = ""
    mobile: str = ""
    landline: str = ""
    email: str = ""
    wechat: str = ""
    preferred_contact_time: str = ""
    is_primary: bool = False


class ContactPatch(Schema):
    version: int
    name: str | None = Field(None, min_length=1, max_length=60)
    title: str | None = None
    mobile: str | None = None
    landline: str | None = None
    email: str | None = None
    wechat: str | None = None
    preferred_contact_time: str | None = None
    is_primary: bool | None = None


class ContactOut(Schema):
    id: int
    name: str
    title: str
    mobile: str
    landline: str
    email: str
    wechat: str
    preferred_contact_time: str
    is_primary: bool
    version: int


class CustomerFields(Schema):
    kind: CustomerKind = CustomerKind.COMPANY
    short_name: str = ""
    id_number: str = ""
    registration_number: str = ""
    credit_rating: CreditRating = CreditRating.A
    industry: Industry = Industry.OTHER
    city: str = ""
    address: str = ""
    channel: Channel = Channel.TERMINAL
    customer_role: CustomerRole = CustomerRole.SHIPPER
    cooperation_mode: CooperationMode = CooperationMode.SPOT
    cooperation_start: dt.date | None = None
    service_type: ServiceType = ServiceType.LTL
    satisfaction: Satisfaction | None = None
    loyalty: Loyalty | None = None
    annual_amount: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    is_key: bool = False
    account_manager_id: int | None = None
    team_id: int | None = None
    notes: str = ""


class CustomerIn(CustomerFields):
    name: str = Field(..., min_length=1, max_length=120)
    ownership: Ownership
    region: Region
    contacts: list[ContactIn] = []


class CustomerPatch(Schema):
    """Only the fields sent are changed; `version` must be the one you read."""

    version: int
    name: str | None = Field(None, min_length=1, max_length=120)
    ownership: Ownership | None = None
    region: Region | None = None
    kind: CustomerKind | None = None
    short_name: str | None = None
    id_number: str | None = None
    registration_number: str | None = None
    credit_rating: CreditRating | None = None
    industry: Industry | None = None
    city: str | None = None
    address: str | None = None
    channel: Channel | None = None
    customer_role: CustomerRole | None = None
    cooperation_mode: CooperationMode | None = None
    cooperation_start: dt.date | None = None
    service_type: ServiceType | None = None
    satisfaction: Satisfaction | None = None
    loyalty: Loyalty | None = None
    annual_amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    is_key: bool | None = None
    account_manager_id: int | None = None
    team_id: int | None = None
    notes: str | None = None


class CustomerOut(Schema):
    id: int
    number: str
    name: str
    kind: str
    short_name: str
    ownership: str
    credit_rating: str
    industry: str
    region: str
    city: str
    channel: str
    customer_role: str
    cooperation_mode: str
    cooperation_start: dt.date | None
    service_type: str
    satisfaction: str
    loyalty: str
    annual_amount: Decimal
    is_key: bool
    grade: str
    computed_grade: str
    grade_override: str
    account_manager_id: int | None
    team_id: int | None
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int


class CustomerDetailOut(CustomerOut):
    address: str
    registration_number: str
    id_number: str
    notes: str
    grade_override_reason: str
    contacts: list[ContactOut]


class GradeOverrideIn(Schema):
    grade: str = Field("", pattern="^[ABC]?$", description="A, B or C; empty to return to the computed grade")
    reason: str = ""


class ChangeRequestIn(Schema):
    changes: dict[str, Any] = Field(..., description="Field name → requested value, as in CustomerPatch")
    reason: str = Field(..., min_length=1)


class ChangeRequestOut(Schema):
    id: int
    customer_id: int
    submitted_by_id: int
    submitted_at: dt.datetime
    changes: dict[str, Any]
    reason: str
    status: str
    verification_method: str
    reviewed_by_id: int | None
    reviewed_at: dt.datetime | None
    review_note: str
    applied_changes: dict[str, Any]


class ApproveIn(Schema):
    verification_method: VerificationMethod
    note: str = ""


class RejectIn(Schema):
    note: str = Field(..., min_length=1)


def _resolve_refs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn account_manager_id / team_id into objects, refusing unknown ids with the field named."""
    if "account_manager_id" in data:
        pk = data.pop("account_manager_id")
        data["account_manager"] = User.objects.filter(pk=pk, is_active=True).first() if pk else None
        if pk and data["account_manager"] is None:
            raise DomainError(f"no active user {pk}", field="account_manager_id")
    if "team_id" in data:
        pk = data.pop("team_id")
        data["team"] = Team.objects.filter(pk=pk).first() if pk else None
        if pk and data["team"] is None:
            raise DomainError(f"no team {pk}", field="team_id")
    for name in ("satisfaction", "loyalty"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


def _customer(request: HttpRequest, pk: int) -> Customer:
    customer = selectors.customer_get(user=request.user, pk=pk)
    if customer is None:
        raise Http404("No such customer, or it is outside what you may see.")
    return customer


def _contact_out(contact: Contact, *, may_see: bool) -> dict[str, Any]:
    """A contact as the API shows it: phone numbers masked unless the reader may see them."""
    row = ContactOut.from_orm(contact).dict()
    row["mobile"] = selectors.shown_phone(contact.mobile, may_see=may_see)
    row["landline"] = selectors.shown_phone(contact.landline, may_see=may_see)
    return row


def _detail(request: HttpRequest, customer: Customer) -> dict[str, Any]:
    may_see = request.user.has_perm("customers.view_sensitive", customer)
    out = CustomerOut.from_orm(customer).dict()
    contacts = [_contact_out(contact, may_see=may_see) for contact in customer.contacts.all()]
    return {
        **out,
        "address": customer.address,
        "registration_number": customer.registration_number,
        "id_number": selectors.shown_id_number(customer.id_number, may_see=may_see),
        "notes": customer.notes,
        "grade_override_reason": customer.grade_override_reason,
        "contacts": contacts,
    }


@router.get("", response=list[CustomerOut], summary="List customers")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers you may see, filtered by any classification field and `q` (Chinese keywords work)."""
    return selectors.customer_list(user=request.user, filters=filters)


@router.post("", response={201: CustomerDetailOut, **ERRORS}, summary="Create a customer")
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    data = _resolve_refs(payload.dict(exclude={"contacts"}))
    customer = services.customer_create(actor=request.user, data=data, contacts=[c.dict() for c in payload.contacts])
    return Status(201, _detail(request, selectors.customer_get(user=request.user, pk=customer.pk) or customer))


@router.get("/change-requests", response=list[ChangeRequestOut], summary="List change requests")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_change_requests(request: HttpRequest, status: ChangeStatus | None = None) -> Any:
    return selectors.change_requests_for(request.user, status=status)


def _change_request(request: HttpRequest, pk: int) -> ChangeRequest:
    change = ChangeRequest.objects.select_related("customer").filter(pk=pk).first()
    if change is None or selectors.customer_get(user=request.user, pk=change.customer_id) is None:
        raise Http404("No such change request.")
    return change


@router.post("/change-requests/{pk}/approve", response={200: ChangeRequestOut, **ERRORS})
def approve_change_request(request: HttpRequest, pk: int, payload: ApproveIn) -> Any:
    """Customer service verified the customer's identity: apply the change."""
    return services.change_request_approve(
        actor=request.user,
        request=_change_request(request, pk),
        verification_method=payload.verification_method,
        note=payload.note,
    )


@router.post("/change-requests/{pk}/reject", response={200: ChangeRequestOut, **ERRORS})
def reject_change_request(request: HttpRequest, pk: int, payload: RejectIn) -> Any:
    return services.change_request_reject(actor=request.user, request=_change_request(request, pk), note=payload.note)


@router.get("/{pk}", response={200: CustomerDetailOut, **ERRORS}, summary="Read one customer")
def get_customer(request: HttpRequest, pk: int) -> Any:
    """Reading a customer is recorded in the archive access log."""
    customer = _customer(request, pk)
    services.access_record(
        actor=request.user,
        action=AccessAction.VIEW,
        customer=customer,
        detail="API",
        ip_address=request.META.get("REMOTE_ADDR"),
    )
    return _detail(request, customer)


@router.patch("/{pk}", response={200: CustomerDetailOut, **ERRORS}, summary="Change a customer")
def update_customer(request: HttpRequest, pk: int, payload: CustomerPatch) -> Any:
    """Customer-service staff only; others POST a change request. A stale `version` answers 409."""
    customer = _customer(request, pk)
    data = _resolve_refs(payload.dict(exclude_unset=True, exclude={"version"}))
    if not request.user.has_perm("customers.change_customer", customer):
        raise PermissionDeniedError(
            "You may not edit this customer directly; POST a change request to /customers/{id}/change-requests."
        )
    updated = services.customer_update(actor=request.user, customer=customer, version=payload.version, data=data)
    # answer with what was saved, even when the change took the customer out of the editor's scope
    return _detail(request, selectors.customer_get(user=request.user, pk=pk) or updated)


@router.post("/{pk}/grade-override", response={200: CustomerDetailOut, **ERRORS})
def override_grade(request: HttpRequest, pk: int, payload: GradeOverrideIn) -> Any:
    customer = _customer(request, pk)
    services.customer_override_grade(actor=request.user, customer=customer, grade=payload.grade, reason=payload.reason)
    return _detail(request, _customer(request, pk))


@router.post("/{pk}/change-requests", response={201: ChangeRequestOut, **ERRORS})
def submit_change_request(request: HttpRequest, pk: int, payload: ChangeRequestIn) -> Any:
    """客户信息变更登记表: for staff outside customer service."""
    customer = _customer(request, pk)
    change = services.change_request_submit(
        actor=request.user, customer=customer, changes=payload.changes, reason=payload.reason
    )
    return Status(201, change)


@router.get("/{pk}/contacts", response={200: list[ContactOut], **ERRORS})
def list_contacts(request: HttpRequest, pk: int) -> Any:
    return _detail(request, _customer(request, pk))["contacts"]


@router.post("/{pk}/contacts", response={201: ContactOut, **ERRORS})
def add_contact(request: HttpRequest, pk: int, payload: ContactIn) -> Any:
    customer = _customer(request, pk)
    contact = services.contact_add(actor=request.user, customer=customer, data=payload.dict())
    return Status(201, _contact_out(contact, may_see=request.user.has_perm("customers.view_sensitive", customer)))


def _contact(request: HttpRequest, pk: int, contact_pk: int) -> Contact:
    customer = _customer(request, pk)
    contact = customer.contacts.filter(pk=contact_pk).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


@router.patch("/{pk}/contacts/{contact_pk}", response={200: ContactOut, **ERRORS})
def update_contact(request: HttpRequest, pk: int, contact_pk: int, payload: ContactPatch) -> Any:
    contact = _contact(request, pk, contact_pk)
    updated = services.contact_update(
        actor=request.user,
        contact=contact,
        version=payload.version,
        data=payload.dict(exclude_unset=True, exclude={"version"}),
    )
    return _contact_out(updated, may_see=request.user.has_perm("customers.view_sensitive", contact.customer))


@router.delete("/{pk}/contacts/{contact_pk}", response={204: None, **ERRORS})
def remove_contact(request: HttpRequest, pk: int, contact_pk: int) -> Any:
    services.contact_remove(actor=request.user, contact=_contact(request, pk, contact_pk))
    return Status(204, None)
