"""Orders, shipments and what customer service needs to know about them (Kefu is not a TMS/WMS).

Orders come from staff, customers (portal/API) or bulk imports keyed by the external order
number; each shipment keeps its tracking events, delivery outcome, exceptions and claims.
The facts the transport and warehouse KPIs need (seed 000 标准单) are columns here.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Role
from kefu.operations.choices import (
    CancellationStatus,
    ClaimStatus,
    CompensationBasis,
    EventKind,
    ExceptionKind,
    OrderSource,
    OrderStatus,
    RefundMethod,
    RefundStatus,
    RepairFault,
    RepairStatus,
    Reporter,
    RequestChannel,
    ReturnKind,
    ReturnStatus,
    ShipmentStatus,
    StatementStatus,
    StockCheck,
    VehicleType,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class CreditAccount(models.Model):
    """Open-account (往来账户) terms of a customer: limits checked before an order is accepted."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="credit_account"
    )
    order_limit = models.DecimalField(_("order amount limit (CNY)"), **MONEY)
    balance_limit = models.DecimalField(_("outstanding balance limit (CNY)"), **MONEY)
    outstanding = models.DecimalField(_("outstanding balance (CNY)"), default=Decimal("0"), **MONEY)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")

    def __str__(self) -> str:
        return str(self.customer)


class StockItem(models.Model):
    """A stocked product in the warehouse, as the warehouse system reports it."""

    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    on_hand = models.PositiveIntegerField(_("on hand"), default=0)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class StockTake(models.Model):
    """One stock-take (盘点) result: how many were counted and how many of them were damaged."""

    item = models.ForeignKey(StockItem, verbose_name=_("stock item"), on_delete=models.CASCADE, related_name="takes")
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now, db_index=True)
    counted = models.PositiveIntegerField(_("counted"))
    damaged = models.PositiveIntegerField(_("damaged"), default=0)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-taken_at", "-id"]
        verbose_name = _("stock-take")
        verbose_name_plural = _("stock-takes")
        constraints = [
            models.CheckConstraint(condition=models.Q(damaged__lte=models.F("counted")), name="stocktake_damaged_le")
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.taken_at:%Y-%m-%d}"


class Vehicle(models.Model):
    plate = models.CharField(_("plate"), max_length=12, unique=True)
    vehicle_type = models.CharField(_("vehicle type"), max_length=12, choices=VehicleType.choices)
    capacity_kg = models.PositiveIntegerField(_("capacity (kg)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["plate"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return f"{self.plate} ({self.get_vehicle_type_display()})"


class Driver(models.Model):
    name = models.CharField(_("name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20)
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("usual vehicle"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("driver")
        verbose_name_plural = _("drivers")

    def __str__(self) -> str:
        return self.name


# What an order says about the goods and the trip: the fields staff, customers and imports all give.
ORDER_GOODS_FIELDS = (
    "service_type",
    "goods",
    "goods_type",
    "pieces",
    "weight_kg",
    "volume_m3",
    "declared_value",
    "origin",
    "destination",
    "pickup_at",
    "promised_at",
    "vehicle_type",
    "is_custom",
    "is_clearance",
    "price",
)


class Order(models.Model):
    """A transport order: what, from where to where, when, on which vehicle type, for how much."""

    number = models.CharField(_("order number"), max_length=24, unique=True)
    external_number = models.CharField(
        _("external order number"),
        max_length=40,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The number in the company's own system; imports and the API upsert by it."),
    )
    source = models.CharField(_("source"), max_length=10, choices=OrderSource.choices, default=OrderSource.STAFF)
    # Indexed by order_customer_idx (customer first); a separate index would only slow the import.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,
    )
    service_type = models.CharField(_("service type"), max_length=20, blank=True)
    goods = models.CharField(_("goods"), max_length=200)
    goods_type = models.CharField(_("goods type"), max_length=40, blank=True)
    pieces = models.PositiveIntegerField(_("pieces"), default=1)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    volume_m3 = models.DecimalField(_("volume (m³)"), max_digits=10, decimal_places=3, default=Decimal("0"))
    declared_value = models.DecimalField(_("declared value (CNY)"), default=Decimal("0"), **MONEY)
    origin = models.CharField(_("origin"), max_length=120)
    destination = models.CharField(_("destination"), max_length=120)
    pickup_at = models.DateTimeField(_("requested pick-up"))
    promised_at = models.DateTimeField(_("promised delivery"))
    vehicle_type = models.CharField(_("vehicle type"), max_length=12, choices=VehicleType.choices)
    is_custom = models.BooleanField(_("custom order (定制)"), default=False)
    is_clearance = models.BooleanField(_("clearance sale (处理品)"), default=False)
    price = models.DecimalField(_("price (CNY)"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=OrderStatus.choices, editable=False)
    stock_item = models.ForeignKey(
        StockItem, verbose_name=_("stocked goods"), null=True, blank=True, on_delete=models.PROTECT
    )
    stock_check = models.CharField(
        _("stock check"), max_length=14, choices=StockCheck.choices, default=StockCheck.NOT_NEEDED, editable=False
    )
    stock_note = models.CharField(_("stock arrangement"), max_length=200, blank=True)
    hold_reason = models.CharField(_("held because"), max_length=200, blank=True, editable=False)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    release_note = models.CharField(_("release reason"), max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(_("ordered at"), default=timezone.now)  # indexed by order_list_idx
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="order_customer_idx"),
            models.Index(fields=["-created_at", "-id"], name="order_list_idx"),
            models.Index(fields=["pickup_at"], name="order_pickup_idx"),  # 货物及时发送率 counts a month's pick-ups
        ]

    def __str__(self) -> str:
        return self.number


class Shipment(models.Model):
    """The transport of an order: vehicle and driver, events, delivery outcome (件数核对, 完好, 签收)."""

    number = models.CharField(_("shipment number"), max_length=40, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments")
    customer = models.ForeignKey(  # indexed by shipment_customer_idx
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="shipments",
        db_index=False,
    )
    vehicle = models.ForeignKey(
        Vehicle, verbose_name=_("vehicle"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    driver = models.ForeignKey(
        Driver, verbose_name=_("driver"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    type_override_reason = models.CharField(_("vehicle type override reason"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ShipmentStatus.choices, editable=False)
    dispatched_at = models.DateTimeField(_("dispatched"), default=timezone.now)  # indexed by shipment_list_idx
    departed_at = models.DateTimeField(_("left"), null=True, blank=True)
    pieces_shipped = models.PositiveIntegerField(_("pieces shipped"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True, db_index=True)
    pieces_delivered = models.PositiveIntegerField(_("pieces delivered"), null=True, blank=True)
    intact = models.BooleanField(_("intact"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=60, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)

    class Meta:
        ordering = ["-dispatched_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [
            models.Index(fields=["customer", "-dispatched_at"], name="shipment_customer_idx"),
            models.Index(fields=["-dispatched_at", "-id"], name="shipment_list_idx"),
        ]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    """A line of the packing list: what was ordered against what left the warehouse (发货准确率)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    description = models.CharField(_("goods"), max_length=120)
    ordered = models.PositiveIntegerField(_("ordered"))
    shipped = models.PositiveIntegerField(_("shipped"))

    class Meta:
        verbose_name = _("packing-list line")
        verbose_name_plural = _("packing-list lines")

    def __str__(self) -> str:
        return self.description


class TrackingEvent(models.Model):
    """Where the goods were when; `informed_at` is when the customer was told (运输信息及时反馈)."""

    # Indexed by event_unique_per_shipment (shipment first).
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events", db_index=False)
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    place = models.CharField(_("place"), max_length=120, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    informed_at = models.DateTimeField(_("customer informed"), null=True, blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        constraints = [
            models.UniqueConstraint(fields=["shipment", "kind", "occurred_at"], name="event_unique_per_shipment")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


class ShipmentException(models.Model):
    """Damage, loss, delay, wrong or missing goods on a shipment; the customer is told first."""

    number = models.CharField(_("exception number"), max_length=24, unique=True)
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="exceptions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ExceptionKind.choices)
    description = models.TextField(_("description"))
    reporter = models.CharField(_("reported by"), max_length=10, choices=Reporter.choices)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reported_at = models.DateTimeField(_("reported"), default=timezone.now, db_index=True)
    customer_notified_at = models.DateTimeField(_("customer notified"), null=True, blank=True)
    case_number = models.CharField(_("complaint case"), max_length=24, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("shipment exception")
        verbose_name_plural = _("shipment exceptions")

    def __str__(self) -> str:
        return self.number


class ExceptionPhoto(models.Model):
    exception = models.ForeignKey(ShipmentException, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to="operations/exceptions/%Y/%m/")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.file.name


class CompensationStandard(models.Model):
    """货损赔偿标准 and 延期交货赔偿: managers edit these; claims are assessed against them."""

    goods_type = models.CharField(_("goods type"), max_length=40, help_text=_("Empty means any goods."), blank=True)
    basis = models.CharField(_("basis"), max_length=8, choices=CompensationBasis.choices)
    percent_of_value = models.DecimalField(
        _("share of declared value (%)"), max_digits=5, decimal_places=2, default=Decimal("100")
    )
    per_day = models.DecimalField(_("per day late (CNY)"), default=Decimal("0"), **MONEY)
    cap = models.DecimalField(_("cap (CNY)"), null=True, blank=True, max_digits=12, decimal_places=2)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["basis", "goods_type"]
        verbose_name = _("compensation standard")
        verbose_name_plural = _("compensation standards")
        constraints = [models.UniqueConstraint(fields=["basis", "goods_type"], name="compensation_unique")]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.goods_type or '*'}"


class ApprovalLimit(models.Model):
    """The largest claim (or refund) a role may approve alone; above it, a higher role approves."""

    role = models.CharField(_("role"), max_length=20, unique=True, choices=Role.choices)
    max_amount = models.DecimalField(_("may approve up to (CNY)"), **MONEY)

    class Meta:
        ordering = ["max_amount"]
        verbose_name = _("approval limit")
        verbose_name_plural = _("approval limits")

    def __str__(self) -> str:
        return f"{self.role} ≤ {self.max_amount}"


class Claim(models.Model):
    """A compensation claim on a shipment: claimed, assessed, approved within a role's limit, paid."""

    number = models.CharField(_("claim number"), max_length=24, unique=True)
    shipment = models.ForeignKey(Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="claims")
    exception = models.ForeignKey(
        ShipmentException, null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    basis = models.CharField(_("basis"), max_length=8, choices=CompensationBasis.choices)
    amount_claimed = models.DecimalField(_("claimed (CNY)"), **MONEY)
    amount_assessed = models.DecimalField(_("assessed (CNY)"), null=True, blank=True, max_digits=12, decimal_places=2)
    amount_approved = models.DecimalField(_("approved (CNY)"), null=True, blank=True, max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=ClaimStatus.choices, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now, db_index=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return self.number


class ServiceRules(models.Model):
    """The after-sales rules of the seed (004 篇5), as one record managers edit."""

    free_cancel_hours = models.PositiveIntegerField(_("free cancellation within (hours)"), default=48)
    cancel_fee_percent = models.DecimalField(
        _("minimum cancellation fee after that (% of price)"), max_digits=5, decimal_places=2, default=Decimal("10")
    )
    return_days = models.PositiveIntegerField(_("returns within (days of delivery or purchase)"), default=7)
    repair_contact_hours = models.PositiveIntegerField(_("repair: contact the customer within (hours)"), default=24)
    repair_answer_hours = models.PositiveIntegerField(_("repair: concrete answer within (hours)"), default=72)
    satisfaction_call_hours = models.PositiveIntegerField(_("repair: satisfaction call within (hours)"), default=24)
    reminder_every_days = models.PositiveIntegerField(_("overdue receivables: remind every (days)"), default=3)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("after-sales rules")
        verbose_name_plural = _("after-sales rules")

    def __str__(self) -> str:
        return str(_("After-sales rules"))


class Cancellation(models.Model):
    """取消订单申请单: reason, fee by the 48-hour rule, customer's signature, general manager's approval."""

    number = models.CharField(_("application number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="cancellations")
    channel = models.CharField(_("channel"), max_length=10, choices=RequestChannel.choices)
    reason = models.CharField(_("reason"), max_length=200)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    hours_after_order = models.DecimalField(_("hours after ordering"), max_digits=10, decimal_places=2)
    fee = models.DecimalField(_("cancellation fee (CNY)"), **MONEY)
    customer_signed_at = models.DateTimeField(_("signed by the customer"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CancellationStatus.choices, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    finance_notified_at = models.DateTimeField(_("finance notified"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("cancellation")
        verbose_name_plural = _("cancellations")

    def __str__(self) -> str:
        return self.number


class ReturnRequest(models.Model):
    """退货换货申请单: quality problems go to inspection first; otherwise the 7-day rules."""

    number = models.CharField(_("application number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="returns")
    kind = models.CharField(_("kind"), max_length=10, choices=ReturnKind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    quality_problem = models.BooleanField(_("quality problem"), default=False)
    self_pickup = models.BooleanField(_("picked up by the buyer (买方自取)"), default=False)
    unopened = models.BooleanField(_("original packaging unopened"), default=False)
    intact = models.BooleanField(_("goods intact"), default=False)
    has_receipts = models.BooleanField(_("receipts and slips produced"), default=False)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=ReturnStatus.choices, editable=False)
    decision_note = models.CharField(_("decision"), max_length=200, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("return or exchange")
        verbose_name_plural = _("returns and exchanges")

    def __str__(self) -> str:
        return self.number


class Refund(models.Model):
    """Money back to the customer, for a cancellation, a return or a claim."""

    number = models.CharField(_("refund number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="refunds")
    cancellation = models.OneToOneField(
        Cancellation, null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    return_request = models.OneToOneField(
        ReturnRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="refund"
    )
    claim = models.OneToOneField(Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    reason = models.CharField(_("reason"), max_length=200)
    method = models.CharField(_("method"), max_length=10, choices=RefundMethod.choices, default=RefundMethod.ORIGINAL)
    status = models.CharField(_("status"), max_length=10, choices=RefundStatus.choices, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")

    def __str__(self) -> str:
        return self.number


class RepairNotice(models.Model):
    """维修通知单: contact within a day, a concrete answer within 72 h, a satisfaction call within 24 h of return."""

    number = models.CharField(_("notice number"), max_length=24, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="repairs"
    )
    order = models.ForeignKey(Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT)
    product = models.CharField(_("product"), max_length=120)
    problem = models.TextField(_("problem"))
    requested_at = models.DateTimeField(_("requested"), default=timezone.now, db_index=True)
    contacted_at = models.DateTimeField(_("customer contacted"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("inspection appointment"), null=True, blank=True)
    answered_at = models.DateTimeField(_("concrete answer given"), null=True, blank=True)
    fault = models.CharField(_("diagnosis"), max_length=8, choices=RepairFault.choices, blank=True)
    diagnosis = models.TextField(_("diagnosis notes"), blank=True)
    charge = models.DecimalField(_("charge (CNY)"), default=Decimal("0"), **MONEY)
    parts = models.CharField(_("parts"), max_length=200, blank=True)
    repaired_at = models.DateTimeField(_("repaired"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    satisfaction_call_at = models.DateTimeField(_("satisfaction call"), null=True, blank=True)
    satisfaction = models.CharField(_("customer's opinion"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RepairStatus.choices, editable=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("repair notice")
        verbose_name_plural = _("repair notices")

    def __str__(self) -> str:
        return self.number


class Statement(models.Model):
    """对账单 of one customer for one period: shipments charged, claims credited, payments received."""

    number = models.CharField(_("statement number"), max_length=24, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="statements"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    total = models.DecimalField(_("balance due (CNY)"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=10, choices=StatementStatus.choices, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-period_end", "-id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(fields=["customer", "period_start", "period_end"], name="statement_per_period")
        ]

    def __str__(self) -> str:
        return self.number


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    reference = models.CharField(_("reference"), max_length=40)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    disputed = models.BooleanField(_("disputed"), default=False)
    dispute_note = models.CharField(_("dispute"), max_length=200, blank=True)
    resolution = models.CharField(_("resolution"), max_length=200, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return self.reference


class Receivable(models.Model):
    """A sum the customer owes (from a confirmed statement), its due date and the reminders (催收)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="receivables"
    )
    statement = models.OneToOneField(Statement, on_delete=models.PROTECT, related_name="receivable")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=14, decimal_places=2)
    due_date = models.DateField(_("due"), db_index=True)
    paid_amount = models.DecimalField(_("paid (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    paid_at = models.DateTimeField(_("paid in full"), null=True, blank=True)
    last_reminded_on = models.DateField(_("last reminder"), null=True, blank=True)
    reminders = models.PositiveIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")

    def __str__(self) -> str:
        return f"{self.statement.number} {self.amount}"
