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
