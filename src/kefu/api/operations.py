"""Orders, shipments, exceptions and claims API, with the idempotent bulk upsert for the company's own systems."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Path, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kefu.api.pagination import BoundedPageNumberPagination
from kefu.api.schemas import ErrorOut
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.customers.filters import MAX_ID
from kefu.customers.selectors import customer_get
from kefu.operations import importing, selectors, services
from kefu.operations.choices import (
    CompensationBasis,
    EventKind,
    ExceptionKind,
    RefundMethod,
    RepairFault,
    Reporter,
    RequestChannel,
    ReturnKind,
    VehicleType,
)
from kefu.operations.filters import (
    EARLIEST,
    LATEST,
    AfterSalesFilters,
    ClaimFilters,
    ExceptionFilters,
    OrderFilters,
    ShipmentFilters,
)
from kefu.operations.models import (
    Cancellation,
    Claim,
    Driver,
    Order,
    Refund,
    RepairNotice,
    ReturnRequest,
    Shipment,
    Statement,
    StatementLine,
    Vehicle,
)

router = Router(tags=["operations"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_UPSERT_ROWS = 5000


class OrderIn(Schema):
    customer_id: int = Field(..., ge=1, le=2**63 - 1)
    external_number: str | None = Field(None, max_length=40)
    service_type: str = Field("", max_length=20)
    goods: str = Field(..., min_length=1, max_length=200)
    goods_type: str = Field("", max_length=40)
    pieces: int = Field(1, ge=1, le=2_000_000_000)
    weight_kg: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)
    volume_m3: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=3)
    declared_value: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    origin: str = Field(..., min_length=1, max_length=120)
    destination: str = Field(..., min_length=1, max_length=120)
    pickup_at: dt.datetime
    promised_at: dt.datetime
    vehicle_type: VehicleType
    is_custom: bool = False
    is_clearance: bool = False
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    stock_note: str = Field("", max_length=200)


class OrderOut(Schema):
    id: int
    number: str
    external_number: str | None
    source: str
    customer_id: int
    goods: str
    pieces: int
    declared_value: Decimal
    origin: str
    destination: str
    pickup_at: dt.datetime
    promised_at: dt.datetime
    vehicle_type: str
    is_custom: bool
    price: Decimal
    status: str
    stock_check: str
    hold_reason: str
    release_note: str
    created_at: dt.datetime
    version: int


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


class DispatchIn(Schema):
    vehicle_id: int = Field(..., ge=1, le=2**63 - 1)
    driver_id: int = Field(..., ge=1, le=2**63 - 1)
    override_reason: str = Field("", max_length=200)


class EventIn(Schema):
    kind: EventKind
    occurred_at: dt.datetime
    place: str = Field("", max_length=120)
    note: str = Field("", max_length=200)


class EventOut(Schema):
    kind: str
    occurred_at: dt.datetime
    place: str
    note: str
    informed_at: dt.datetime | None


class DeliveryIn(Schema):
    delivered_at: dt.datetime
    pieces_delivered: int = Field(..., ge=0, le=2_000_000_000)
    intact: bool
    signed_by: str = Field(..., min_length=1, max_length=60)


class ExceptionOut(Schema):
    id: int
    number: str
    kind: str
    description: str
    reporter: str
    reported_at: dt.datetime
    customer_notified_at: dt.datetime | None
    case_number: str


class ClaimOut(Schema):
    id: int
    number: str
    shipment_id: int
    exception_id: int | None
    basis: str
    amount_claimed: Decimal
    amount_assessed: Decimal | None
    amount_approved: Decimal | None
    status: str
    claimed_at: dt.datetime
    paid_at: dt.datetime | None
    payment_reference: str
    version: int


class ShipmentOut(Schema):
    id: int
    number: str
    order_id: int
    customer_id: int
    status: str
    dispatched_at: dt.datetime
    departed_at: dt.datetime | None
    pieces_shipped: int
    delivered_at: dt.datetime | None
    pieces_delivered: int | None
    intact: bool | None
    signed_by: str
    on_time: bool | None
    type_override_reason: str


class ShipmentDetailOut(ShipmentOut):
    events: list[EventOut]
    exceptions: list[ExceptionOut]
    claims: list[ClaimOut]
    case_numbers: list[str]


class ClaimIn(Schema):
    basis: CompensationBasis
    amount_claimed: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    exception_id: int | None = Field(None, ge=1, le=2**63 - 1)


class AssessIn(Schema):
    version: int
    amount: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class VersionIn(Schema):
    version: int


class PayIn(Schema):
    version: int
    reference: str = Field(..., min_length=1, max_length=60)


class RejectIn(Schema):
    version: int
    reason: str = Field(..., min_length=1, max_length=200)


class RowError(Schema):
    row: int
    column: str
    reason: str


class ImportOut(Schema):
    kind: str
    total_rows: int
    created: int
    updated: int
    errors: list[RowError]


class UpsertIn(Schema):
    rows: list[dict[str, Any]] = Field(..., max_length=MAX_UPSERT_ROWS)


class RatioOut(Schema):
    name: str
    numerator: int
    denominator: int
    rate: float | None


def _order(request: HttpRequest, pk: int) -> Order:
    order = selectors.order_get(user=request.user, pk=pk)
    if order is None:
        raise Http404("No such order, or it is outside what you may see.")
    return order


def _shipment(request: HttpRequest, number: str) -> Shipment:
    shipment = selectors.shipment_get(user=request.user, number=number)
    if shipment is None:
        raise Http404("No such shipment, or it is outside what you may see.")
    return shipment


def _claim(request: HttpRequest, pk: int) -> Claim:
    claim = selectors.claim_get(user=request.user, pk=pk)
    if claim is None:
        raise Http404("No such claim, or it is outside what you may see.")
    return claim


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDeniedError()


def _report(report: importing.ImportReport) -> Any:
    body = {
        "kind": report.kind,
        "total_rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "errors": [{"row": r, "column": c, "reason": m} for r, c, m in report.errors],
    }
    return Status(200 if report.ok else 400, body)


# --- orders ---------------------------------------------------------------------------------------


@router.get("/orders", response=list[OrderOut], summary="Orders you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    _require(request, "operations.view")
    return selectors.order_list(user=request.user, filters=filters)


@router.post("/orders", response={201: OrderOut, **ERRORS}, summary="Place an order (credit and stock checked)")
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    customer = customer_get(user=request.user, pk=payload.customer_id)
    if customer is None:
        raise DomainError("No such customer, or it is outside what you may see.", field="customer_id")
    data = payload.dict(exclude={"customer_id"})
    order = services.order_create(actor=request.user, data={**data, "customer": customer})
    return Status(201, order)


@router.put(
    "/orders", response={200: ImportOut, 400: ImportOut, 403: ErrorOut}, summary="Bulk upsert by external number"
)
def upsert_orders(request: HttpRequest, payload: UpsertIn) -> Any:
    """Create or update orders (and their shipment facts) keyed by `external_number`; all rows or none.

    Row fields are the import file's columns (`external_number`, `customer_number`, `goods`, ...,
    optional `shipment_number`, `dispatched_at`, `delivered_at`, ...). Sending the same rows again
    changes nothing."""
    return _report(importing.orders_upsert(actor=request.user, rows=payload.rows, first_row=1))


@router.put("/events", response={200: ImportOut, 400: ImportOut, 403: ErrorOut}, summary="Bulk upsert tracking events")
def upsert_events(request: HttpRequest, payload: UpsertIn) -> Any:
    """Tracking events keyed by (`shipment_number`, `kind`, `occurred_at`); sending them again changes nothing."""
    return _report(importing.events_upsert(actor=request.user, rows=payload.rows, first_row=1))


@router.get("/orders/{pk}", response={200: OrderOut, **ERRORS}, summary="Read one order")
def get_order(request: HttpRequest, pk: int) -> Any:
    return _order(request, pk)


@router.post("/orders/{pk}/release", response={200: OrderOut, **ERRORS}, summary="Release a credit hold")
def release_order(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return services.order_release(actor=request.user, order=_order(request, pk), reason=payload.reason)


@router.post("/orders/{pk}/reject", response={200: OrderOut, **ERRORS}, summary="Reject a held order")
def reject_order(request: HttpRequest, pk: int, payload: ReasonIn) -> Any:
    return services.order_reject(actor=request.user, order=_order(request, pk), reason=payload.reason)


@router.post("/orders/{pk}/dispatch", response={201: ShipmentOut, **ERRORS}, summary="Dispatch a vehicle (派单)")
def dispatch_order(request: HttpRequest, pk: int, payload: DispatchIn) -> Any:
    vehicle = Vehicle.objects.filter(pk=payload.vehicle_id).first()
    driver = Driver.objects.filter(pk=payload.driver_id).first()
    if vehicle is None:
        raise DomainError("No such vehicle.", field="vehicle_id")
    if driver is None:
        raise DomainError("No such driver.", field="driver_id")
    shipment = services.order_dispatch(
        actor=request.user,
        order=_order(request, pk),
        vehicle=vehicle,
        driver=driver,
        override_reason=payload.override_reason,
    )
    return Status(201, shipment)


# --- shipments ------------------------------------------------------------------------------------


@router.get("/shipments", response=list[ShipmentOut], summary="Shipments you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_shipments(request: HttpRequest, filters: Query[ShipmentFilters]) -> Any:
    _require(request, "operations.view")
    return selectors.shipment_list(user=request.user, filters=filters)


def _shipment_detail(shipment: Shipment) -> dict[str, Any]:
    detail = selectors.shipment_detail(shipment)
    body = ShipmentOut.from_orm(shipment).dict()
    body.update(
        events=detail["events"],
        exceptions=detail["exceptions"],
        claims=detail["claims"],
        case_numbers=detail["case_numbers"],
    )
    return body


@router.get("/shipments/{number}", response={200: ShipmentDetailOut, **ERRORS}, summary="A shipment with its events")
def get_shipment(request: HttpRequest, number: str) -> Any:
    return _shipment_detail(_shipment(request, number))


@router.post("/shipments/{number}/events", response={201: EventOut, **ERRORS}, summary="Add a tracking event")
def add_event(request: HttpRequest, number: str, payload: EventIn) -> Any:
    event = services.shipment_add_event(actor=request.user, shipment=_shipment(request, number), **payload.dict())
    return Status(201, event)


@router.post("/shipments/{number}/delivery", response={200: ShipmentDetailOut, **ERRORS}, summary="Record the delivery")
def record_delivery(request: HttpRequest, number: str, payload: DeliveryIn) -> Any:
    shipment = services.shipment_record_delivery(
        actor=request.user, shipment=_shipment(request, number), **payload.dict()
    )
    return _shipment_detail(shipment)


@router.post("/shipments/{number}/exceptions", response={201: ExceptionOut, **ERRORS}, summary="Report an exception")
def report_exception(
    request: HttpRequest,
    number: str,
    kind: Form[ExceptionKind],
    description: Form[str],
    reporter: Form[Reporter] = Reporter.CUSTOMER,
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """multipart/form-data: `kind`, `description`, `reporter` (customer, driver or staff) and up to 10 `photos`.

    The customer is told at once, and a complaint case is opened (or the open one linked)."""
    exception = services.exception_report(
        actor=request.user,
        shipment=_shipment(request, number),
        kind=kind,
        description=description,
        reporter=reporter,
        photos=photos or [],
    )
    return Status(201, exception)


@router.get("/exceptions", response=list[ExceptionOut], summary="Exceptions you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_exceptions(request: HttpRequest, filters: Query[ExceptionFilters]) -> Any:
    _require(request, "operations.view")
    return selectors.exception_list(user=request.user, filters=filters)


# --- claims ---------------------------------------------------------------------------------------


@router.post("/shipments/{number}/claims", response={201: ClaimOut, **ERRORS}, summary="File a claim")
def file_claim(request: HttpRequest, number: str, payload: ClaimIn) -> Any:
    shipment = _shipment(request, number)
    exception = shipment.exceptions.filter(pk=payload.exception_id).first() if payload.exception_id else None
    if payload.exception_id and exception is None:
        raise DomainError("No such exception on this shipment.", field="exception_id")
    claim = services.claim_file(
        actor=request.user,
        shipment=shipment,
        basis=payload.basis,
        amount_claimed=payload.amount_claimed,
        exception=exception,
    )
    return Status(201, claim)


@router.get("/claims", response=list[ClaimOut], summary="Claims you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> Any:
    _require(request, "operations.view")
    return selectors.claim_list(user=request.user, filters=filters)


@router.get("/claims/{pk}", response={200: ClaimOut, **ERRORS}, summary="Read one claim")
def get_claim(request: HttpRequest, pk: int) -> Any:
    return _claim(request, pk)


@router.post("/claims/{pk}/assess", response={200: ClaimOut, **ERRORS}, summary="Assess (by the standard if no amount)")
def assess_claim(request: HttpRequest, pk: int, payload: AssessIn) -> Any:
    return services.claim_assess(
        actor=request.user, claim=_claim(request, pk), amount=payload.amount, version=payload.version
    )


@router.post("/claims/{pk}/approve", response={200: ClaimOut, **ERRORS}, summary="Approve within your role's limit")
def approve_claim(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    return services.claim_approve(actor=request.user, claim=_claim(request, pk), version=payload.version)


@router.post("/claims/{pk}/pay", response={200: ClaimOut, **ERRORS}, summary="Record the payment")
def pay_claim(request: HttpRequest, pk: int, payload: PayIn) -> Any:
    return services.claim_pay(
        actor=request.user, claim=_claim(request, pk), reference=payload.reference, version=payload.version
    )


@router.post("/claims/{pk}/reject", response={200: ClaimOut, **ERRORS}, summary="Reject a claim")
def reject_claim(request: HttpRequest, pk: int, payload: RejectIn) -> Any:
    return services.claim_reject(
        actor=request.user, claim=_claim(request, pk), reason=payload.reason, version=payload.version
    )


# --- credit accounts (检查表 §1) -------------------------------------------------------------------


class CreditAccountOut(Schema):
    customer_id: int
    customer_number: str = Field(..., alias="customer.number")
    order_limit: Decimal
    balance_limit: Decimal
    outstanding: Decimal
    version: int


class CreditAccountIn(Schema):
    order_limit: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    balance_limit: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    version: int = Field(
        ..., ge=0, le=2**31 - 1, description="The version you read; 0 to open an account. A stale one answers 409"
    )


@router.get("/credit-accounts", response=list[CreditAccountOut], summary="Open accounts of customers you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_credit_accounts(request: HttpRequest) -> Any:
    _require(request, "operations.view")
    return selectors.credit_account_list(user=request.user)


# A customer id within the database's integer range (a larger one is a 422, not an overflow).
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get(
    "/credit-accounts/{customer_id}", response={200: CreditAccountOut, **ERRORS}, summary="A customer's credit limits"
)
def get_credit_account(request: HttpRequest, customer_id: CustomerId) -> Any:
    _require(request, "operations.view")
    account = selectors.credit_account_get(user=request.user, customer_pk=customer_id)
    if account is None:
        raise Http404("This customer has no open account, or it is outside what you may see.")
    return account


@router.put(
    "/credit-accounts/{customer_id}",
    response={200: CreditAccountOut, **ERRORS},
    summary="Set a customer's order-amount and outstanding-balance limits",
)
def set_credit_account(request: HttpRequest, customer_id: CustomerId, payload: CreditAccountIn) -> Any:
    """Opens the account (`version` 0) or changes its limits (`version` as read); orders over a limit are held."""
    customer = customer_get(user=request.user, pk=customer_id)
    if customer is None:
        raise Http404("No such customer, or it is outside what you may see.")
    services.credit_account_save(actor=request.user, customer=customer, **payload.dict())
    return selectors.credit_account_get(user=request.user, customer_pk=customer_id)


# --- KPI facts ------------------------------------------------------------------------------------


class PeriodIn(Schema):
    start: dt.date = Field(..., ge=EARLIEST, le=LATEST)
    end: dt.date = Field(..., ge=EARLIEST, le=LATEST)


@router.get(
    "/kpis", response={200: list[RatioOut], **ERRORS}, summary="Numerators and denominators of the service KPIs"
)
def kpis(request: HttpRequest, period: Query[PeriodIn]) -> Any:
    """For [start, end) in local dates: 运输需求满足率, 货物及时发送率, 货物准时送达率, 货物完好送达率,
    运输信息及时反馈率, 库存完好率, 发货准确率."""
    _require(request, "operations.export")
    if period.end <= period.start:
        raise DomainError("end must be after start.", field="end")
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time(), tzinfo=tz)
    out = []
    for name, function in selectors.KPIS.items():
        ratio = function(start, end)
        out.append({"name": name, "numerator": ratio.numerator, "denominator": ratio.denominator, "rate": ratio.rate})
    return out


# --- after-sales ----------------------------------------------------------------------------------


class CancellationIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)
    channel: RequestChannel = RequestChannel.PHONE
    fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class CancellationOut(Schema):
    id: int
    number: str
    order_id: int
    channel: str
    reason: str
    requested_at: dt.datetime
    hours_after_order: Decimal
    fee: Decimal
    customer_signed_at: dt.datetime | None
    status: str
    finance_notified_at: dt.datetime | None
    version: int


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=200)


class ReturnIn(Schema):
    kind: ReturnKind
    reason: str = Field(..., min_length=1, max_length=200)
    quality_problem: bool = False
    self_pickup: bool = False
    unopened: bool = False
    intact: bool = False
    has_receipts: bool = False


class ReturnOut(Schema):
    id: int
    number: str
    order_id: int
    kind: str
    reason: str
    quality_problem: bool
    status: str
    decision_note: str
    requested_at: dt.datetime
    version: int


class InspectionIn(Schema):
    product_fault: bool
    note: str = Field(..., min_length=1, max_length=200)


class RefundOut(Schema):
    id: int
    number: str
    order_id: int
    cancellation_id: int | None
    return_request_id: int | None
    claim_id: int | None
    amount: Decimal
    reason: str
    method: str
    status: str
    paid_at: dt.datetime | None
    version: int


class RefundPayIn(Schema):
    method: RefundMethod


class RepairIn(Schema):
    customer_id: int = Field(..., ge=1, le=2**63 - 1)
    order_id: int | None = Field(None, ge=1, le=2**63 - 1)
    product: str = Field(..., min_length=1, max_length=120)
    problem: str = Field(..., min_length=1, max_length=2000)


class RepairOut(Schema):
    id: int
    number: str
    customer_id: int
    product: str
    problem: str
    status: str
    requested_at: dt.datetime
    contacted_at: dt.datetime | None
    appointment_at: dt.datetime | None
    answered_at: dt.datetime | None
    fault: str
    diagnosis: str
    charge: Decimal
    parts: str
    returned_at: dt.datetime | None
    satisfaction_call_at: dt.datetime | None
    version: int


class RepairStepIn(Schema):
    step: str = Field(..., pattern="^(contact|diagnose|repaired|returned|called)$")
    appointment_at: dt.datetime | None = None
    fault: RepairFault | None = None
    diagnosis: str = Field("", max_length=2000)
    charge: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    parts: str = Field("", max_length=200)
    opinion: str = Field("", max_length=200)


class _CorrectionIn(Schema):
    """Only the fields sent are corrected, if the application's step allows them; a stale `version` answers 409."""

    version: int = Field(..., ge=1, le=2**31 - 1, description="The version you read")


class CancellationPatch(_CorrectionIn):
    reason: str | None = Field(None, min_length=1, max_length=200)
    channel: RequestChannel | None = None
    fee: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class ReturnPatch(_CorrectionIn):
    kind: ReturnKind | None = None
    reason: str | None = Field(None, min_length=1, max_length=200)


class RepairPatch(_CorrectionIn):
    product: str | None = Field(None, min_length=1, max_length=120)
    problem: str | None = Field(None, min_length=1, max_length=2000)
    appointment_at: dt.datetime | None = None
    diagnosis: str | None = Field(None, max_length=2000)
    parts: str | None = Field(None, max_length=200)
    charge: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)


class RefundPatch(_CorrectionIn):
    amount: Decimal | None = Field(None, gt=0, max_digits=12, decimal_places=2)
    reason: str | None = Field(None, min_length=1, max_length=200)
    method: RefundMethod | None = None


def _corrections(payload: _CorrectionIn) -> dict[str, Any]:
    return payload.dict(exclude_unset=True, exclude={"version"})


class StatementIn(Schema):
    customer_id: int = Field(..., ge=1, le=2**63 - 1)
    period_start: dt.date = Field(..., ge=EARLIEST, le=LATEST)
    period_end: dt.date = Field(..., ge=EARLIEST, le=LATEST)


class StatementLineOut(Schema):
    id: int
    reference: str
    description: str
    amount: Decimal
    disputed: bool
    dispute_note: str
    resolution: str


class StatementOut(Schema):
    id: int
    number: str
    customer_id: int
    period_start: dt.date
    period_end: dt.date
    total: Decimal
    status: str
    version: int
    lines: list[StatementLineOut]


class LineDisputeIn(Schema):
    note: str = Field(..., min_length=1, max_length=200)


class LineResolveIn(Schema):
    resolution: str = Field(..., min_length=1, max_length=200)
    amount: Decimal | None = Field(None, max_digits=12, decimal_places=2)


class PaymentIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)


def _aftersales(request: HttpRequest, model: Any, pk: int) -> Any:
    record = selectors.aftersales_get(model, user=request.user, pk=pk)
    if record is None:
        raise Http404("No such record, or it is outside what you may see.")
    return record


@router.post("/orders/{pk}/cancellations", response={201: CancellationOut, **ERRORS}, summary="Apply for cancellation")
def request_cancellation(request: HttpRequest, pk: int, payload: CancellationIn) -> Any:
    """Free within 48 h of ordering, then a fee of at least 10 %; custom orders and clearance sales are refused.
    App orders are cancelled by phone through an agent (channel `phone`)."""
    cancellation = services.cancellation_request(actor=request.user, order=_order(request, pk), **payload.dict())
    return Status(201, cancellation)


@router.get("/cancellations/{pk}", response={200: CancellationOut, **ERRORS}, summary="Read a cancellation")
def get_cancellation(request: HttpRequest, pk: int) -> Any:
    return _aftersales(request, Cancellation, pk)


@router.patch("/cancellations/{pk}", response={200: CancellationOut, **ERRORS}, summary="Correct an open cancellation")
def correct_cancellation(request: HttpRequest, pk: int, payload: CancellationPatch) -> Any:
    """Reason and channel while it is undecided; the fee until the customer signs."""
    return services.cancellation_correct(
        actor=request.user,
        cancellation=_aftersales(request, Cancellation, pk),
        data=_corrections(payload),
        version=payload.version,
    )


@router.post("/cancellations/{pk}/sign", response={200: CancellationOut, **ERRORS}, summary="The customer signed")
def sign_cancellation(request: HttpRequest, pk: int) -> Any:
    return services.cancellation_sign(actor=request.user, cancellation=_aftersales(request, Cancellation, pk))


@router.post("/cancellations/{pk}/decide", response={200: CancellationOut, **ERRORS}, summary="General manager decides")
def decide_cancellation(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    cancellation = _aftersales(request, Cancellation, pk)
    return services.cancellation_decide(actor=request.user, cancellation=cancellation, **payload.dict())


@router.post("/orders/{pk}/returns", response={201: ReturnOut, **ERRORS}, summary="Apply for return or exchange")
def request_return(request: HttpRequest, pk: int, payload: ReturnIn) -> Any:
    return Status(201, services.return_request(actor=request.user, order=_order(request, pk), **payload.dict()))


@router.get("/returns/{pk}", response={200: ReturnOut, **ERRORS}, summary="Read a return or exchange")
def get_return(request: HttpRequest, pk: int) -> Any:
    return _aftersales(request, ReturnRequest, pk)


@router.patch("/returns/{pk}", response={200: ReturnOut, **ERRORS}, summary="Correct an open return or exchange")
def correct_return(request: HttpRequest, pk: int, payload: ReturnPatch) -> Any:
    """Return or exchange, and the reason, until the department head decides."""
    return services.return_correct(
        actor=request.user,
        request=_aftersales(request, ReturnRequest, pk),
        data=_corrections(payload),
        version=payload.version,
    )


@router.post("/returns/{pk}/inspection", response={200: ReturnOut, **ERRORS}, summary="Record the inspection")
def inspect_return(request: HttpRequest, pk: int, payload: InspectionIn) -> Any:
    return services.return_inspected(
        actor=request.user, request=_aftersales(request, ReturnRequest, pk), **payload.dict()
    )


@router.post("/returns/{pk}/decide", response={200: ReturnOut, **ERRORS}, summary="Department head decides")
def decide_return(request: HttpRequest, pk: int, payload: DecisionIn) -> Any:
    return services.return_decide(actor=request.user, request=_aftersales(request, ReturnRequest, pk), **payload.dict())


@router.get("/refunds", response=list[RefundOut], summary="Refunds you may see")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_refunds(request: HttpRequest, filters: Query[AfterSalesFilters]) -> Any:
    _require(request, "operations.view")
    return selectors.aftersales_list(Refund, user=request.user, filters=filters)


@router.get("/refunds/{pk}", response={200: RefundOut, **ERRORS}, summary="Read a refund")
def get_refund(request: HttpRequest, pk: int) -> Any:
    return _aftersales(request, Refund, pk)


@router.patch("/refunds/{pk}", response={200: RefundOut, **ERRORS}, summary="Correct a refund not paid yet")
def correct_refund(request: HttpRequest, pk: int, payload: RefundPatch) -> Any:
    return services.refund_correct(
        actor=request.user, refund=_aftersales(request, Refund, pk), data=_corrections(payload), version=payload.version
    )


@router.post("/refunds/{pk}/pay", response={200: RefundOut, **ERRORS}, summary="Record the refund as paid")
def pay_refund(request: HttpRequest, pk: int, payload: RefundPayIn) -> Any:
    return services.refund_pay(actor=request.user, refund=_aftersales(request, Refund, pk), method=payload.method)


@router.post("/repairs", response={201: RepairOut, **ERRORS}, summary="Open a repair notice (维修通知单)")
def request_repair(request: HttpRequest, payload: RepairIn) -> Any:
    customer = customer_get(user=request.user, pk=payload.customer_id)
    if customer is None:
        raise DomainError("No such customer, or it is outside what you may see.", field="customer_id")
    order = _order(request, payload.order_id) if payload.order_id else None
    repair = services.repair_request(
        actor=request.user, customer=customer, order=order, product=payload.product, problem=payload.problem
    )
    return Status(201, repair)


@router.get("/repairs/{pk}", response={200: RepairOut, **ERRORS}, summary="Read a repair notice")
def get_repair(request: HttpRequest, pk: int) -> Any:
    return _aftersales(request, RepairNotice, pk)


@router.patch("/repairs/{pk}", response={200: RepairOut, **ERRORS}, summary="Correct an open repair notice")
def correct_repair(request: HttpRequest, pk: int, payload: RepairPatch) -> Any:
    """Product and problem until the diagnosis, the appointment once booked, the diagnosis until the repair."""
    return services.repair_correct(
        actor=request.user,
        repair=_aftersales(request, RepairNotice, pk),
        data=_corrections(payload),
        version=payload.version,
    )


@router.post(
    "/repairs/{pk}/steps", response={200: RepairOut, **ERRORS}, summary="Contact, diagnose, repair, return, call"
)
def repair_step(request: HttpRequest, pk: int, payload: RepairStepIn) -> Any:
    repair = _aftersales(request, RepairNotice, pk)
    if payload.step == "contact":
        if payload.appointment_at is None:
            raise DomainError("appointment_at is required.", field="appointment_at")
        return services.repair_contact(actor=request.user, repair=repair, appointment_at=payload.appointment_at)
    if payload.step == "diagnose":
        return services.repair_diagnose(
            actor=request.user,
            repair=repair,
            fault=payload.fault or "",
            diagnosis=payload.diagnosis,
            charge=payload.charge,
            parts=payload.parts,
        )
    return services.repair_progress(actor=request.user, repair=repair, step=payload.step, opinion=payload.opinion)


def _statement_out(statement: Statement) -> dict[str, Any]:
    body = {f: getattr(statement, f) for f in ("id", "number", "customer_id", "period_start", "period_end", "total")}
    body.update(status=statement.status, version=statement.version, lines=list(statement.lines.all()))
    return body


@router.post("/statements", response={201: StatementOut, **ERRORS}, summary="Make a customer's statement (对账单)")
def make_statement(request: HttpRequest, payload: StatementIn) -> Any:
    customer = customer_get(user=request.user, pk=payload.customer_id)
    if customer is None:
        raise DomainError("No such customer, or it is outside what you may see.", field="customer_id")
    statement = services.statement_generate(
        actor=request.user, customer=customer, period_start=payload.period_start, period_end=payload.period_end
    )
    return Status(201, _statement_out(statement))


@router.get("/statements/{pk}", response={200: StatementOut, **ERRORS}, summary="Read a statement")
def get_statement(request: HttpRequest, pk: int) -> Any:
    return _statement_out(_aftersales(request, Statement, pk))


def _line(request: HttpRequest, pk: int, line_id: int) -> StatementLine:
    line = _aftersales(request, Statement, pk).lines.filter(pk=line_id).first()
    if line is None:
        raise Http404("No such line.")
    return line


@router.post(
    "/statements/{pk}/lines/{line_id}/dispute", response={200: StatementOut, **ERRORS}, summary="Dispute a line"
)
def dispute_line(request: HttpRequest, pk: int, line_id: int, payload: LineDisputeIn) -> Any:
    services.statement_dispute(actor=request.user, line=_line(request, pk, line_id), note=payload.note)
    return _statement_out(_aftersales(request, Statement, pk))


@router.post(
    "/statements/{pk}/lines/{line_id}/resolve", response={200: StatementOut, **ERRORS}, summary="Resolve a dispute"
)
def resolve_line(request: HttpRequest, pk: int, line_id: int, payload: LineResolveIn) -> Any:
    services.statement_resolve(actor=request.user, line=_line(request, pk, line_id), **payload.dict())
    return _statement_out(_aftersales(request, Statement, pk))


@router.post("/statements/{pk}/confirm", response={200: StatementOut, **ERRORS}, summary="The customer confirms")
def confirm_statement(request: HttpRequest, pk: int, payload: VersionIn) -> Any:
    statement = _aftersales(request, Statement, pk)
    services.statement_confirm(actor=request.user, statement=statement, version=payload.version)
    return _statement_out(_aftersales(request, Statement, pk))


@router.post("/statements/{pk}/payments", response={200: StatementOut, **ERRORS}, summary="Record a payment received")
def record_payment(request: HttpRequest, pk: int, payload: PaymentIn) -> Any:
    statement = _aftersales(request, Statement, pk)
    receivable = getattr(statement, "receivable", None)
    if receivable is None:
        raise DomainError("The statement is not confirmed yet.", code="conflict")
    services.receivable_record_payment(actor=request.user, receivable=receivable, amount=payload.amount)
    return _statement_out(statement)
