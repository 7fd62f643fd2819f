"""The indicator catalogue and the versioned 客户服务标准单 (seed 000)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import Ownership
from kefu.standards.choices import Direction, Measurement, StandardStatus


class Indicator(models.Model):
    """A service indicator (服务指标) a department is measured by."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("owning department"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True, default="%")
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    measurement = models.CharField(
        _("measured"), max_length=10, choices=Measurement.choices, default=Measurement.COMPUTED
    )
    computation = models.CharField(_("computation"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """One version of the 客户服务标准单; approved versions are read-only, the latest effective one is in force."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    version_no = models.PositiveIntegerField(_("version"), unique=True)
    status = models.CharField(_("status"), max_length=10, choices=StandardStatus.choices, default=StandardStatus.DRAFT)
    effective_from = models.DateField(_("effective from"), default=dt.date.today)
    note = models.TextField(_("note"), blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filled in by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-version_no"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from"],
                condition=models.Q(status="approved"),
                name="standards_one_approved_per_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} v{self.version_no}"

    @property
    def is_draft(self) -> bool:
        return self.status == StandardStatus.DRAFT


class StandardItem(models.Model):
    """One line of the 标准单: a department's indicator, its weight and a target per customer type."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="items")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["standard", "indicator"], name="standards_item_once")]

    def __str__(self) -> str:
        return f"{self.department} · {self.indicator}"

    def targets_by_type(self) -> dict[str, ItemTarget]:
        return {t.customer_type: t for t in self.targets.all()}


class ItemTarget(models.Model):
    """The target value of an item for one customer type (外企 / 民营 / 国有 ...)."""

    item = models.ForeignKey(StandardItem, on_delete=models.CASCADE, related_name="targets")
    customer_type = models.CharField(_("customer type"), max_length=20, choices=Ownership.choices)
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "customer_type"], name="standards_target_once")]

    def __str__(self) -> str:
        return f"{self.item} {self.customer_type}: {self.target}"


class Reading(models.Model):
    """The value of a hand-entered indicator for one month (and one customer type, or all when blank)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    customer_type = models.CharField(_("customer type"), max_length=20, choices=Ownership.choices, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-month", "customer_type"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month", "customer_type"], name="standards_reading_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%Y-%m} {self.customer_type}: {self.value}"
