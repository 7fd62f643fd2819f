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


class KpiSnapshot(models.Model):
    """The stored KPI measurement of one period (`selectors.kpi_report` for [start, end], company-wide), so the
    KPI page reads figures instead of computing them. Written only by `services.kpi_snapshot_compute`.

    `computed_at` is None until the first computation finishes; `requested_at` is set while a (re)computation
    is queued for the worker, and cleared when it is done."""

    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    standard = models.ForeignKey(
        Standard, verbose_name=_("service standard"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer_types = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    seconds = models.DecimalField(_("computing time (s)"), max_digits=9, decimal_places=3, null=True, blank=True)
    requested_at = models.DateTimeField(_("recomputation requested"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start", "-end"]
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(fields=["start", "end"], name="standards_kpi_snapshot_once"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="standards_kpi_period"),
        ]

    def __str__(self) -> str:
        return f"KPI {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"


class KpiFigure(models.Model):
    """One figure of a snapshot: an item's overall value (customer_type blank) or its value for one customer
    type with the target it was judged against and whether it was attained. Active indicators the period's
    standard does not have are stored too, with no item and no target: the trend charts draw every
    indicator of the standard in force at their end over months another standard (or none) was in force."""

    snapshot = models.ForeignKey(KpiSnapshot, on_delete=models.CASCADE, related_name="figures")
    item = models.ForeignKey(StandardItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    customer_type = models.CharField(max_length=20, choices=Ownership.choices, blank=True)
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    attained = models.BooleanField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "indicator", "customer_type"], name="standards_kpi_figure_once")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.indicator_id} {self.customer_type or '*'}: {self.value}"
