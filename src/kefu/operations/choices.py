"""Enumerations of the operations domain: orders, shipments, exceptions, claims."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class VehicleType(models.TextChoices):
    VAN = "van", _("Van (面包车)")
    BOX_4_2 = "box_4_2", _("4.2 m box truck")
    TRUCK_6_8 = "truck_6_8", _("6.8 m truck")
    TRUCK_9_6 = "truck_9_6", _("9.6 m truck")


class OrderStatus(models.TextChoices):
    HELD = "held", _("Held for credit approval")
    AWAITING_STOCK = "awaiting_stock", _("Awaiting stock")
    ACCEPTED = "accepted", _("Accepted")
    DISPATCHED = "dispatched", _("Dispatched")
    DELIVERED = "delivered", _("Delivered")
    REJECTED = "rejected", pgettext_lazy("order", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("order", "Cancelled")


class StockCheck(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No stock needed")
    IN_STOCK = "in_stock", _("In stock: issue the sales document and ship")
    OUT_OF_STOCK = "out_of_stock", _("Out of stock: customer told, production/replenishment arranged")


class OrderSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    CUSTOMER = "customer", _("Placed by the customer")
    IMPORT = "import", _("Imported")


class ShipmentStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", pgettext_lazy("shipment", "Delivered")


class EventKind(models.TextChoices):
    PICKED_UP = "picked_up", _("Picked up")
    DEPARTED = "departed", _("Departed")
    ARRIVED_HUB = "arrived_hub", _("Arrived at hub")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", pgettext_lazy("event", "Delivered")
    SIGNED = "signed", _("Signed for")
    EXCEPTION = "exception", _("Exception")


class ExceptionKind(models.TextChoices):
    DAMAGE = "damage", _("Goods damaged")
    LOSS = "loss", _("Goods lost")
    DELAY = "delay", _("Delayed")
    WRONG_GOODS = "wrong_goods", _("Wrong goods")
    MISSING_GOODS = "missing_goods", _("Missing goods")


class Reporter(models.TextChoices):
    STAFF = "staff", _("Staff")
    DRIVER = "driver", _("Driver")
    CUSTOMER = "customer", _("Customer")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    ASSESSED = "assessed", _("Assessed")
    APPROVED = "approved", pgettext_lazy("claim", "Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", pgettext_lazy("claim", "Rejected")


class CompensationBasis(models.TextChoices):
    DAMAGE = "damage", _("Damage or loss: share of the declared value")
    LATE = "late", _("Late delivery: amount per day late")


class CancellationStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", pgettext_lazy("cancellation", "Approved")
    REJECTED = "rejected", pgettext_lazy("cancellation", "Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")


class RequestChannel(models.TextChoices):
    WALK_IN = "walk_in", _("At the counter")
    PHONE = "phone", _("By phone (400 hotline)")
    APP = "app", _("In the app")


class ReturnKind(models.TextChoices):
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")


class ReturnStatus(models.TextChoices):
    INSPECTION = "inspection", _("Inspection or repair first")
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", pgettext_lazy("return", "Approved")
    REJECTED = "rejected", pgettext_lazy("return", "Rejected")


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("To be paid")
    PAID = "paid", pgettext_lazy("refund", "Paid")


class RefundMethod(models.TextChoices):
    ORIGINAL = "original", _("Back to the original payment")
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Collected in cash")
    CREDIT = "credit", _("Credited to the account")


class RepairStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    CONTACTED = "contacted", _("Customer contacted")
    DIAGNOSED = "diagnosed", _("Diagnosed")
    REPAIRED = "repaired", _("Repaired")
    RETURNED = "returned", _("Returned to the customer")
    CLOSED = "closed", pgettext_lazy("repair", "Closed")


class RepairFault(models.TextChoices):
    OURS = "ours", _("Our fault: apologise, free of charge")
    MISUSE = "misuse", _("Customer's misuse: charged by the price list")


class StatementStatus(models.TextChoices):
    SENT = "sent", _("Sent to the customer")
    CONFIRMED = "confirmed", _("Confirmed by the customer")
    DISPUTED = "disputed", _("Disputed")
