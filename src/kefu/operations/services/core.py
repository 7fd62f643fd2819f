"""Every write of the operations domain: one function per business action.

Each checks the actor's permission (actor=None is the system: imports, demo, jobs), validates,
writes in one transaction, records its audit event and, where a higher domain must act,
publishes a domain event (an exception opens a complaint case in tickets).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.core import events
from kefu.core.services import (
    DomainError,
    PermissionDeniedError,
    StaleVersionError,
    audit_record,
    number_next,
    search_words_replace,
    validate_or_refuse,
)
from kefu.notify.models import Channel
from kefu.notify.services import message_enqueue
from kefu.operations.choices import (
    ClaimStatus,
    CompensationBasis,
    EventKind,
    ExceptionKind,
    OrderSource,
    OrderStatus,
    RefundMethod,
    RefundStatus,
    Reporter,
    ShipmentStatus,
    StockCheck,
)
from kefu.operations.models import (
    ORDER_GOODS_FIELDS,
    ApprovalLimit,
    Claim,
    CompensationStandard,
    CreditAccount,
    Driver,
    ExceptionPhoto,
    Order,
    Refund,
    Shipment,
    ShipmentException,
    ShipmentLine,
    StockItem,
    StockTake,
    TrackingEvent,
    Vehicle,
)

CENT = Decimal("0.01")

ORDER_FIELDS = ("customer", "external_number", *ORDER_GOODS_FIELDS, "stock_item", "stock_note")
ALLOWED_PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 10


def check_time(value: dt.datetime | None, field: str) -> None:
    """Refuse a time outside 2000-2099: older or later ones are typing mistakes and overflow time-zone arithmetic."""
    if value is not None and not (2000 <= value.year <= 2099):
        raise DomainError(_("Enter a time between the years 2000 and 2099."), field=field)


def _require(actor: Any, perm: str, obj: Any = None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDeniedError()


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# Search-token kinds (kefu.core.search). Orders are imported by the million, so they carry tokens of their
# own words only: shipments are found through their order's tokens, customer names through the customers'
# tokens and numbers by exact lookups. Exceptions and claims are few and carry all their words.
ORDER_SEARCH_KIND = "order"
EXCEPTION_SEARCH_KIND = "shipment_exception"
CLAIM_SEARCH_KIND = "claim"


def order_search_text(*, goods: str, origin: str, destination: str) -> str:
    """The words an order (and its shipment) is found by besides its customer's name: goods and places."""
    return " ".join(p for p in (goods, origin, destination) if p)


def _order_text(order: Order) -> str:
    return order_search_text(goods=order.goods, origin=order.origin, destination=order.destination)


def exception_search_text(*, description: str, goods: str, origin: str, destination: str, customer_name: str) -> str:
    """The words an exception or a claim (by its exception's description) is found by, with its order's."""
    words = order_search_text(goods=goods, origin=origin, destination=destination)
    return " ".join(p for p in (description, words, customer_name) if p)


def _shipment_record_text(description: str, shipment: Shipment) -> str:
    order = shipment.order
    return exception_search_text(
        description=description,
        goods=order.goods,
        origin=order.origin,
        destination=order.destination,
        customer_name=shipment.customer.name,
    )


def _index(record: Any, kind: str, text: str) -> None:
    """Make `record` findable by the words of `text` (its `search_text` and its search tokens)."""
    search_words_replace(kind=kind, records=[(record, text)])


def _claim_reason(exception: ShipmentException | None) -> str:
    """What a claim is found by besides its order and customer: its exception's description."""
    return exception.description if exception is not None else ""


def shipment_records_reindex_customer(*, customer_id: int) -> int:
    """Make the customer's exceptions and claims findable by its current name, which their search
    text and tokens carry; the customer's change is the audited action. Returns how many records."""
    shipment = ("shipment__order", "shipment__customer")
    exceptions = ShipmentException.objects.filter(shipment__customer_id=customer_id).select_related(*shipment)
    claims = Claim.objects.filter(shipment__customer_id=customer_id).select_related(*shipment, "exception")
    search_words_replace(
        kind=EXCEPTION_SEARCH_KIND,
        records=[(e, _shipment_record_text(e.description, e.shipment)) for e in exceptions],
    )
    search_words_replace(
        kind=CLAIM_SEARCH_KIND,
        records=[(c, _shipment_record_text(_claim_reason(c.exception), c.shipment)) for c in claims],
    )
    return len(exceptions) + len(claims)


def _customer_mobile(customer: Any) -> str:
    contact = customer.contacts.order_by("-is_primary", "id").first()
    return str(getattr(contact, "mobile", "") or "")


def _tell_customer(customer: Any, body: str, *, key: str) -> bool:
    """SMS to the customer's primary contact through the outbox; False when there is no number."""
    return (
        message_enqueue(channel=Channel.SMS, recipient=_customer_mobile(customer), body=body, dedupe_key=key)
        is not None
    )


# --- credit and stock -------------------------------------------------------------------------------


@transaction.atomic
def credit_account_save(
    *,
    actor: Any,
    customer: Any,
    order_limit: Decimal,
    balance_limit: Decimal,
    outstanding: Decimal | None = None,
    version: int | None = None,
) -> CreditAccount:
    """Open-account limits of a customer (检查表 §1): changed only by who may release credit holds.

    `version` is the one the editor read, 0 when they saw no account yet (None: no check, for the page's
    by-number form and the system), so two people setting limits at once don't overwrite each other.
    """
    _require(actor, "operations.manage_credit")
    account = CreditAccount.objects.select_for_update().filter(customer=customer).first()
    if version is not None and version != (account.version if account else 0):
        raise StaleVersionError()
    if account is None:
        account = CreditAccount(customer=customer, order_limit=order_limit, balance_limit=balance_limit)
    before = {"order_limit": str(account.order_limit), "balance_limit": str(account.balance_limit)}
    account.order_limit, account.balance_limit = order_limit, balance_limit
    if outstanding is not None:
        account.outstanding = outstanding
    account.version = (account.version or 0) + (1 if account.pk else 0)
    validate_or_refuse(account, exclude=["customer"])
    account.save()
    audit_record(
        actor=actor,
        action="operations.credit.saved",
        subject=customer,
        changes={
            "order_limit": [before["order_limit"], str(order_limit)],
            "balance_limit": [before["balance_limit"], str(balance_limit)],
        },
    )
    return account


def credit_hold_reason(customer: Any, price: Decimal) -> str:
    """Why an order of `price` must wait for approval, or "" when the customer's credit allows it."""
    account = CreditAccount.objects.filter(customer=customer).first()
    if account is None:
        return ""
    if price > account.order_limit:
        return _("Order amount %(price)s is over the order limit %(limit)s.") % {
            "price": price,
            "limit": account.order_limit,
        }
    if account.outstanding + price > account.balance_limit:
        return _("Outstanding balance %(balance)s plus this order would pass the limit %(limit)s.") % {
            "balance": account.outstanding,
            "limit": account.balance_limit,
        }
    return ""


def _check_stock(order: Order) -> None:
    """下单流程: 有库存 → reserve and ship; 无库存 → tell the customer, arrange replenishment, agree a time."""
    if order.stock_item_id is None:
        order.stock_check = StockCheck.NOT_NEEDED
        return
    updated = StockItem.objects.filter(pk=order.stock_item_id, on_hand__gte=order.pieces).update(
        on_hand=F("on_hand") - order.pieces
    )
    order.stock_check = StockCheck.IN_STOCK if updated else StockCheck.OUT_OF_STOCK


def _after_acceptance(order: Order) -> None:
    """Book the order on the account and set its status by the stock check."""
    CreditAccount.objects.filter(customer_id=order.customer_id).update(outstanding=F("outstanding") + order.price)
    _check_stock(order)
    if order.stock_check == StockCheck.OUT_OF_STOCK:
        order.status = OrderStatus.AWAITING_STOCK
        _tell_customer(
            order.customer,
            _("Order %(number)s is out of stock; we arrange replenishment and agree a time with you. %(note)s")
            % {"number": order.number, "note": order.stock_note},
            key=f"order-no-stock-{order.pk}",
        )
    else:
        order.status = OrderStatus.ACCEPTED


def _validate_order(order: Order) -> None:
    check_time(order.pickup_at, "pickup_at")
    check_time(order.promised_at, "promised_at")
    validate_or_refuse(order, exclude=["number", "status", "customer", "stock_item", "created_by", "external_number"])
    if order.promised_at < order.pickup_at:
        raise DomainError(_("The promised delivery cannot be before the pick-up."), field="promised_at")
    if order.is_custom and order.is_clearance:
        raise DomainError(_("An order cannot be both custom and a clearance sale."), field="is_clearance")


@transaction.atomic
def order_create(
    *, actor: Any, data: Mapping[str, Any], source: str = OrderSource.STAFF, created_at: dt.datetime | None = None
) -> Order:
    """Take an order: credit check first (held for approval when over a limit), then the stock check."""
    _require(actor, "operations.add_order", data.get("customer"))
    unknown = set(data) - set(ORDER_FIELDS)
    if unknown:
        raise DomainError(_("Unknown field: %s") % ", ".join(sorted(unknown)), field=sorted(unknown)[0])
    if data.get("customer") is None:
        raise DomainError(_("Choose the customer."), field="customer")
    order = Order(**data, source=source, created_by=actor if getattr(actor, "pk", None) else None)
    order.created_at = created_at or timezone.now()
    order.external_number = order.external_number or None
    _validate_order(order)
    order.number = number_next(prefix="DD", day=timezone.localdate(order.created_at))
    order.hold_reason = credit_hold_reason(order.customer, order.price)
    order.status = OrderStatus.HELD
    order.save()
    _index(order, ORDER_SEARCH_KIND, _order_text(order))
    if order.hold_reason:
        audit_record(actor=actor, action="operations.order.held", subject=order, changes={"reason": order.hold_reason})
    else:
        _after_acceptance(order)
        order.save(update_fields=["status", "stock_check"])
    audit_record(
        actor=actor,
        action="operations.order.created",
        subject=order,
        changes={"status": order.status, "stock_check": order.stock_check, "source": source},
    )
    events.publish("operations.order.created", order=order, customer=order.customer, actor=actor)
    return order


def _locked_order(order: Order, *allowed: str) -> Order:
    locked = Order.objects.select_for_update().select_related("customer").get(pk=order.pk)
    if allowed and locked.status not in allowed:
        raise DomainError(
            _("This cannot be done while the order is %s.") % locked.get_status_display(),
            field="status",
            code="conflict",
        )
    return locked


@transaction.atomic
def order_release(*, actor: Any, order: Order, reason: str) -> Order:
    """A role allowed to approve credit releases a held order, with the reason recorded."""
    _require(actor, "operations.release_credit_hold", order)
    if not reason.strip():
        raise DomainError(_("Say why the order may go ahead."), field="reason")
    order = _locked_order(order, OrderStatus.HELD)
    order.released_by = actor if getattr(actor, "pk", None) else None
    order.release_note = reason.strip()[:200]
    _after_acceptance(order)
    order.version += 1
    order.save()
    audit_record(
        actor=actor,
        action="operations.order.released",
        subject=order,
        changes={"reason": order.release_note, "status": order.status, "stock_check": order.stock_check},
    )
    return order


@transaction.atomic
def order_reject(*, actor: Any, order: Order, reason: str) -> Order:
    _require(actor, "operations.release_credit_hold", order)
    if not reason.strip():
        raise DomainError(_("Say why the order is rejected."), field="reason")
    order = _locked_order(order, OrderStatus.HELD)
    order.status = OrderStatus.REJECTED
    order.release_note = reason.strip()[:200]
    order.version += 1
    order.save()
    audit_record(actor=actor, action="operations.order.rejected", subject=order, changes={"reason": order.release_note})
    return order


@transaction.atomic
def order_stock_arrived(*, actor: Any, order: Order) -> Order:
    """Replenished goods are in: the order waiting for stock can now be dispatched."""
    _require(actor, "operations.dispatch", order)
    order = _locked_order(order, OrderStatus.AWAITING_STOCK)
    order.status = OrderStatus.ACCEPTED
    order.stock_check = StockCheck.IN_STOCK
    order.version += 1
    order.save()
    audit_record(
        actor=actor, action="operations.order.stock_checked", subject=order, changes={"stock_check": order.stock_check}
    )
    return order


# --- dispatch, tracking, delivery -------------------------------------------------------------------


@transaction.atomic
def order_dispatch(
    *,
    actor: Any,
    order: Order,
    vehicle: Vehicle,
    driver: Driver,
    override_reason: str = "",
    lines: Sequence[tuple[str, int, int]] | None = None,
    number: str | None = None,
    at: dt.datetime | None = None,
) -> Shipment:
    """派单: a vehicle of the requested type and a driver; another type only with a reason."""
    _require(actor, "operations.dispatch", order)
    order = _locked_order(order, OrderStatus.ACCEPTED)
    if not vehicle.is_active:
        raise DomainError(_("This vehicle is not in service."), field="vehicle")
    if not driver.is_active:
        raise DomainError(_("This driver is not in service."), field="driver")
    override_reason = override_reason.strip()
    if vehicle.vehicle_type != order.vehicle_type and not override_reason:
        raise DomainError(
            _("The customer asked for a %(wanted)s; this is a %(got)s. Give a reason to send it anyway.")
            % {"wanted": order.get_vehicle_type_display(), "got": vehicle.get_vehicle_type_display()},
            field="vehicle",
        )
    lines = list(lines) if lines else [(order.goods[:120], order.pieces, order.pieces)]
    shipment = Shipment.objects.create(
        number=number or number_next(prefix="YD"),
        order=order,
        customer_id=order.customer_id,
        vehicle=vehicle,
        driver=driver,
        type_override_reason=override_reason if vehicle.vehicle_type != order.vehicle_type else "",
        status=ShipmentStatus.DISPATCHED,
        dispatched_at=at or timezone.now(),
        pieces_shipped=sum(shipped for _d, _o, shipped in lines),
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, description=d, ordered=o, shipped=s) for d, o, s in lines
    )
    order.status = OrderStatus.DISPATCHED
    order.version += 1
    order.save(update_fields=["status", "version"])
    audit_record(
        actor=actor,
        action="operations.order.dispatched",
        subject=order,
        changes={
            "shipment": shipment.number,
            "vehicle": vehicle.plate,
            "driver": driver.name,
            "override": override_reason,
        },
    )
    return shipment


@transaction.atomic
def shipment_add_event(
    *,
    actor: Any,
    shipment: Shipment,
    kind: str,
    occurred_at: dt.datetime,
    place: str = "",
    note: str = "",
    inform_customer: bool = True,
) -> TrackingEvent:
    """跟踪发货: record where the goods are; the customer is told at once through the outbox."""
    _require(actor, "operations.track", shipment)
    if kind not in EventKind.values:
        raise DomainError(_("Unknown tracking event."), field="kind")
    check_time(occurred_at, "occurred_at")
    if occurred_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("A tracking event cannot be in the future."), field="occurred_at")
    if TrackingEvent.objects.filter(shipment=shipment, kind=kind, occurred_at=occurred_at).exists():
        raise DomainError(_("This event is already recorded at this time."), field="occurred_at", code="conflict")
    event = TrackingEvent(shipment=shipment, kind=kind, occurred_at=occurred_at, place=place[:120], note=note[:200])
    event.save()
    if inform_customer and _tell_customer(
        shipment.customer,
        _("Shipment %(number)s: %(event)s %(place)s at %(time)s.")
        % {
            "number": shipment.number,
            "event": event.get_kind_display(),
            "place": place,
            "time": timezone.localtime(occurred_at).strftime("%Y-%m-%d %H:%M"),
        },
        key=f"shipment-event-{event.pk}",
    ):
        event.informed_at = timezone.now()
        event.save(update_fields=["informed_at"])
    changed = []
    if kind in (EventKind.PICKED_UP, EventKind.DEPARTED) and shipment.departed_at is None:
        shipment.departed_at = occurred_at
        changed.append("departed_at")
    if shipment.status == ShipmentStatus.DISPATCHED and kind != EventKind.EXCEPTION:
        shipment.status = ShipmentStatus.IN_TRANSIT
        changed.append("status")
    if changed:
        shipment.save(update_fields=changed)
    audit_record(
        actor=actor, action="operations.shipment.event", subject=shipment, changes={"kind": kind, "place": place}
    )
    return event


@transaction.atomic
def shipment_record_delivery(
    *,
    actor: Any,
    shipment: Shipment,
    delivered_at: dt.datetime,
    pieces_delivered: int,
    intact: bool,
    signed_by: str,
) -> Shipment:
    """签收: on time against the promise, pieces delivered against shipped (件数核对), intact or not."""
    _require(actor, "operations.track", shipment)
    shipment = Shipment.objects.select_for_update().select_related("order", "customer").get(pk=shipment.pk)
    if shipment.status == ShipmentStatus.DELIVERED:
        raise DomainError(_("The delivery of this shipment is already recorded."), code="conflict")
    check_time(delivered_at, "delivered_at")
    if pieces_delivered < 0:
        raise DomainError(_("Pieces cannot be negative."), field="pieces_delivered")
    if not signed_by.strip():
        raise DomainError(_("Who signed for the goods?"), field="signed_by")
    if delivered_at > timezone.now() + dt.timedelta(minutes=5):
        raise DomainError(_("A delivery cannot be in the future."), field="delivered_at")
    shipment.delivered_at = delivered_at
    shipment.pieces_delivered = pieces_delivered
    shipment.intact = intact
    shipment.signed_by = signed_by.strip()[:60]
    shipment.on_time = delivered_at <= shipment.order.promised_at
    shipment.status = ShipmentStatus.DELIVERED
    shipment.departed_at = shipment.departed_at or delivered_at
    shipment.save()
    TrackingEvent.objects.get_or_create(
        shipment=shipment, kind=EventKind.SIGNED, occurred_at=delivered_at, defaults={"note": shipment.signed_by}
    )
    Order.objects.filter(pk=shipment.order_id).update(status=OrderStatus.DELIVERED, version=F("version") + 1)
    audit_record(
        actor=actor,
        action="operations.shipment.delivered",
        subject=shipment,
        changes={
            "on_time": shipment.on_time,
            "pieces": [shipment.pieces_shipped, pieces_delivered],
            "intact": intact,
            "signed_by": shipment.signed_by,
        },
    )
    events.publish("operations.shipment.delivered", shipment=shipment, customer=shipment.customer, actor=actor)
    return shipment


# --- fleet and warehouse ----------------------------------------------------------------------------


@transaction.atomic
def vehicle_save(*, actor: Any, data: Mapping[str, Any], vehicle: Vehicle | None = None) -> Vehicle:
    _require(actor, "operations.manage_fleet")
    vehicle = vehicle or Vehicle()
    for name in ("plate", "vehicle_type", "capacity_kg", "is_active"):
        if name in data:
            setattr(vehicle, name, data[name])
    validate_or_refuse(vehicle)
    if Vehicle.objects.filter(plate=vehicle.plate).exclude(pk=vehicle.pk).exists():
        raise DomainError(_("Another vehicle has this plate."), field="plate")
    vehicle.save()
    audit_record(actor=actor, action="operations.fleet.saved", subject=vehicle)
    return vehicle


@transaction.atomic
def driver_save(*, actor: Any, data: Mapping[str, Any], driver: Driver | None = None) -> Driver:
    _require(actor, "operations.manage_fleet")
    driver = driver or Driver()
    for name in ("name", "phone", "vehicle", "is_active"):
        if name in data:
            setattr(driver, name, data[name])
    validate_or_refuse(driver, exclude=["vehicle"])
    driver.save()
    audit_record(actor=actor, action="operations.fleet.saved", subject=driver)
    return driver


@transaction.atomic
def stock_take_record(
    *, actor: Any, item: StockItem, counted: int, damaged: int, at: dt.datetime | None = None
) -> StockTake:
    """盘点: counted and damaged pieces (库存完好率); the count becomes the stock on hand."""
    _require(actor, "operations.manage_stock")
    if damaged > counted:
        raise DomainError(_("More damaged pieces than counted."), field="damaged")
    take = StockTake.objects.create(
        item=item,
        counted=counted,
        damaged=damaged,
        taken_at=at or timezone.now(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    StockItem.objects.filter(pk=item.pk).update(on_hand=counted - damaged)
    audit_record(
        actor=actor, action="operations.stock.taken", subject=item, changes={"counted": counted, "damaged": damaged}
    )
    return take


# --- exceptions -------------------------------------------------------------------------------------


def _check_photos(photos: Sequence[Any]) -> None:
    if len(photos) > MAX_PHOTOS:
        raise DomainError(_("At most %d photos.") % MAX_PHOTOS, field="photos")
    for photo in photos:
        if getattr(photo, "content_type", "") not in ALLOWED_PHOTO_TYPES:
            raise DomainError(_("Photos must be JPEG, PNG, WebP or HEIC images."), field="photos")
        if photo.size > MAX_PHOTO_BYTES:
            raise DomainError(_("A photo may be at most 10 MB."), field="photos")


@transaction.atomic
def exception_report(
    *,
    actor: Any,
    shipment: Shipment,
    kind: str,
    description: str,
    reporter: str = Reporter.STAFF,
    photos: Sequence[Any] = (),
) -> ShipmentException:
    """An exception on a shipment: the customer is told first (第一时间反馈), then a complaint case opens.

    operations sits below tickets, so the case is opened by tickets' subscriber to
    `operations.exception.reported`, in this same transaction.
    """
    _require(actor, "operations.report_exception", shipment)
    if kind not in ExceptionKind.values:
        raise DomainError(_("Choose what went wrong."), field="kind")
    if reporter not in Reporter.values:
        raise DomainError(_("Unknown reporter."), field="reporter")
    if not description.strip():
        raise DomainError(_("Describe what happened."), field="description")
    _check_photos(photos)
    now = timezone.now()
    exception = ShipmentException.objects.create(
        number=number_next(prefix="YC"),
        shipment=shipment,
        kind=kind,
        description=description.strip(),
        reporter=reporter,
        reported_by=actor if getattr(actor, "pk", None) else None,
        reported_at=now,
    )
    for photo in photos:
        ExceptionPhoto.objects.create(exception=exception, file=photo)
    _index(exception, EXCEPTION_SEARCH_KIND, _shipment_record_text(exception.description, shipment))
    event = TrackingEvent.objects.create(
        shipment=shipment, kind=EventKind.EXCEPTION, occurred_at=now, note=exception.get_kind_display()
    )
    if _tell_customer(
        shipment.customer,
        _("Shipment %(number)s: %(kind)s. We are on it and will keep you informed (ref. %(ref)s).")
        % {"number": shipment.number, "kind": exception.get_kind_display(), "ref": exception.number},
        key=f"shipment-exception-{exception.pk}",
    ):
        exception.customer_notified_at = event.informed_at = timezone.now()
        exception.save(update_fields=["customer_notified_at"])
        event.save(update_fields=["informed_at"])
    audit_record(
        actor=actor,
        action="operations.exception.reported",
        subject=shipment,
        changes={"exception": exception.number, "kind": kind, "reporter": reporter, "photos": len(photos)},
    )
    events.publish("operations.exception.reported", exception=exception, shipment=shipment, actor=actor)
    return exception


def exception_link_case(*, exception: ShipmentException, case_number: str) -> None:
    """Remember the complaint case that handles this exception (called by tickets' subscriber)."""
    ShipmentException.objects.filter(pk=exception.pk).update(case_number=case_number)
    exception.case_number = case_number


# --- claims -----------------------------------------------------------------------------------------


def compensation_for(*, shipment: Shipment, basis: str) -> Decimal | None:
    """What the standards give for this shipment: a share of the declared value, or so much per day late."""
    order = shipment.order
    standard = (
        CompensationStandard.objects.filter(basis=basis, goods_type=order.goods_type).first()
        or CompensationStandard.objects.filter(basis=basis, goods_type="").first()
    )
    if standard is None:
        return None
    if basis == CompensationBasis.LATE:
        if shipment.delivered_at is None or shipment.delivered_at <= order.promised_at:
            return Decimal("0")
        late = shipment.delivered_at - order.promised_at
        days = late.days + (1 if late.seconds or late.microseconds else 0)
        amount = standard.per_day * days
    else:
        amount = order.declared_value * standard.percent_of_value / 100
    if standard.cap is not None:
        amount = min(amount, standard.cap)
    return _money(amount)


def compensation_standards_exist() -> bool:
    return CompensationStandard.objects.exists()


@transaction.atomic
def compensation_standard_save(
    *, actor: Any, data: Mapping[str, Any], standard: CompensationStandard | None = None, version: int | None = None
) -> CompensationStandard:
    _require(actor, "operations.manage_standards")
    standard = standard or CompensationStandard()
    if standard.pk and version is not None and version != standard.version:
        raise StaleVersionError()
    for name in ("goods_type", "basis", "percent_of_value", "per_day", "cap"):
        if name in data:
            setattr(standard, name, data[name])
    validate_or_refuse(standard)
    duplicate = CompensationStandard.objects.filter(basis=standard.basis, goods_type=standard.goods_type)
    if duplicate.exclude(pk=standard.pk).exists():
        raise DomainError(_("There is already a standard for this basis and goods type."), field="goods_type")
    if standard.pk:
        standard.version += 1
    standard.save()
    audit_record(
        actor=actor, action="operations.standard.saved", subject=standard, changes={k: str(v) for k, v in data.items()}
    )
    return standard


@transaction.atomic
def claim_file(
    *, actor: Any, shipment: Shipment, amount_claimed: Decimal, basis: str, exception: ShipmentException | None = None
) -> Claim:
    _require(actor, "operations.handle_claims", shipment)
    if basis not in CompensationBasis.values:
        raise DomainError(_("Choose the basis of the claim."), field="basis")
    if amount_claimed <= 0:
        raise DomainError(_("The amount claimed must be more than zero."), field="amount_claimed")
    if exception is not None and exception.shipment_id != shipment.pk:
        raise DomainError(_("The exception belongs to another shipment."), field="exception")
    claim = Claim.objects.create(
        number=number_next(prefix="PC"),
        shipment=shipment,
        exception=exception,
        basis=basis,
        amount_claimed=_money(amount_claimed),
        status=ClaimStatus.CLAIMED,
    )
    _index(claim, CLAIM_SEARCH_KIND, _shipment_record_text(_claim_reason(exception), shipment))
    audit_record(
        actor=actor, action="operations.claim.filed", subject=claim, changes={"amount": str(claim.amount_claimed)}
    )
    return claim


def _locked_claim(claim: Claim, version: int | None, *allowed: str) -> Claim:
    locked = Claim.objects.select_for_update().select_related("shipment__order").get(pk=claim.pk)
    if version is not None and version != locked.version:
        raise StaleVersionError()
    if locked.status not in allowed:
        raise DomainError(
            _("This cannot be done while the claim is %s.") % locked.get_status_display(),
            field="status",
            code="conflict",
        )
    return locked


@transaction.atomic
def claim_assess(*, actor: Any, claim: Claim, amount: Decimal | None = None, version: int | None = None) -> Claim:
    """Assess against the compensation standard; the standard's figure is used when no amount is given."""
    _require(actor, "operations.handle_claims", claim.shipment)
    claim = _locked_claim(claim, version, ClaimStatus.CLAIMED, ClaimStatus.ASSESSED)
    if amount is None:
        amount = compensation_for(shipment=claim.shipment, basis=claim.basis)
        if amount is None:
            raise DomainError(_("No compensation standard applies; enter the assessed amount."), field="amount")
    if amount < 0:
        raise DomainError(_("The assessed amount cannot be negative."), field="amount")
    claim.amount_assessed = _money(min(amount, claim.amount_claimed))
    claim.status = ClaimStatus.ASSESSED
    claim.version += 1
    claim.save()
    audit_record(
        actor=actor, action="operations.claim.assessed", subject=claim, changes={"amount": str(claim.amount_assessed)}
    )
    return claim


def approval_limit_for(user: Any) -> Decimal:
    """The largest amount `user`'s role may approve (0 when the role has no limit record)."""
    if user is None:
        return Decimal("Infinity")
    limit = ApprovalLimit.objects.filter(role=getattr(user, "role", "")).first()
    return limit.max_amount if limit else Decimal("0")


@transaction.atomic
def claim_approve(*, actor: Any, claim: Claim, version: int | None = None) -> Claim:
    """Approve the assessed amount, if it is within the actor's role limit (approval thresholds)."""
    _require(actor, "operations.handle_claims", claim.shipment)
    claim = _locked_claim(claim, version, ClaimStatus.ASSESSED)
    amount = claim.amount_assessed or Decimal("0")
    if amount > approval_limit_for(actor):
        raise PermissionDeniedError(
            _("%(amount)s is above what your role may approve (%(limit)s); a higher role must approve it.")
            % {"amount": amount, "limit": approval_limit_for(actor)}
        )
    claim.amount_approved = amount
    claim.status = ClaimStatus.APPROVED
    claim.approved_by = actor if getattr(actor, "pk", None) else None
    claim.version += 1
    claim.save()
    audit_record(actor=actor, action="operations.claim.approved", subject=claim, changes={"amount": str(amount)})
    return claim


@transaction.atomic
def claim_pay(*, actor: Any, claim: Claim, reference: str, version: int | None = None) -> Claim:
    _require(actor, "operations.pay_claims", claim.shipment)
    claim = _locked_claim(claim, version, ClaimStatus.APPROVED)
    if not reference.strip():
        raise DomainError(_("Enter the payment reference."), field="reference")
    claim.status = ClaimStatus.PAID
    claim.paid_at = timezone.now()
    claim.payment_reference = reference.strip()[:60]
    claim.version += 1
    claim.save()
    shipment = claim.shipment
    if claim.amount_approved:
        # The money goes out as a refund record linked to the claim, next to those of cancellations and returns.
        Refund.objects.create(
            number=number_next(prefix="TK"),
            order_id=shipment.order_id,
            claim=claim,
            amount=claim.amount_approved,
            reason=_("Claim %s") % claim.number,
            method=RefundMethod.BANK,
            status=RefundStatus.PAID,
            paid_at=claim.paid_at,
        )
    _tell_customer(
        shipment.customer,
        _("Claim %(number)s for shipment %(shipment)s: %(amount)s CNY paid (ref. %(ref)s).")
        % {
            "number": claim.number,
            "shipment": shipment.number,
            "amount": claim.amount_approved,
            "ref": claim.payment_reference,
        },
        key=f"claim-paid-{claim.pk}",
    )
    audit_record(
        actor=actor, action="operations.claim.paid", subject=claim, changes={"reference": claim.payment_reference}
    )
    return claim


@transaction.atomic
def claim_reject(*, actor: Any, claim: Claim, reason: str, version: int | None = None) -> Claim:
    _require(actor, "operations.handle_claims", claim.shipment)
    claim = _locked_claim(claim, version, ClaimStatus.CLAIMED, ClaimStatus.ASSESSED)
    if not reason.strip():
        raise DomainError(_("Say why the claim is rejected."), field="reason")
    claim.status = ClaimStatus.REJECTED
    claim.version += 1
    claim.save()
    audit_record(actor=actor, action="operations.claim.rejected", subject=claim, changes={"reason": reason.strip()})
    return claim


def approval_limits_seed(limits: Iterable[tuple[str, Decimal]]) -> None:
    for role, amount in limits:
        ApprovalLimit.objects.get_or_create(role=role, defaults={"max_amount": amount})
