"""The Check and Act of the service loop (seed 000): the PDCA cycle of a period, its 客户服务分析, its
客户服务改进表 with the three sign-offs and progress, and the standard version it proposed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import Ownership
from kefu.improvement.choices import ApprovalStep, Decision, ItemStatus, PlanStatus


class Cycle(models.Model):
    """One turn of the loop over an analysed period (a month, a quarter or any range) and customer type."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=80)
    start = models.DateField(_("period from"))
    end = models.DateField(_("period to"))
    customer_type = models.CharField(
        _("customer type"), max_length=20, choices=Ownership.choices, blank=True, help_text=_("Blank for all types.")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("PDCA cycle")
        verbose_name_plural = _("PDCA cycles")
        constraints = [
            models.UniqueConstraint(fields=["start", "end", "customer_type"], name="improvement_cycle_period_once"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="improvement_cycle_period"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Analysis(models.Model):
    """客户服务分析: the causes the customer-service manager found with the related departments."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="analysis")
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("participating departments"), blank=True, related_name="+"
    )
    summary = models.TextField(_("conclusions and measures"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("service analysis")
        verbose_name_plural = _("service analyses")

    def __str__(self) -> str:
        return f"{self.cycle.number}"


class Cause(models.Model):
    """The cause analysis of one indicator that missed its target."""

    analysis = models.ForeignKey(Analysis, on_delete=models.CASCADE, related_name="causes")
    indicator = models.ForeignKey(
        "standards.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("cause"))

    class Meta:
        ordering = ["indicator__position", "pk"]
        constraints = [models.UniqueConstraint(fields=["analysis", "indicator"], name="improvement_cause_once")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.text[:40]}"


class Plan(models.Model):
    """客户服务改进表 (改进确认表): items signed off by the CS manager, the related department managers, then
    the general manager; the values before and after are measured from the records."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="plan")
    number = models.CharField(_("number"), max_length=24, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT, editable=False
    )
    departments = models.ManyToManyField(
        "accounts.Department",
        verbose_name=_("related departments"),
        blank=True,
        related_name="+",
        help_text=_("Their managers sign the plan after the customer service manager."),
    )
    note = models.TextField(_("remarks"), blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filled in by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    round = models.PositiveSmallIntegerField(default=0, editable=False)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True, editable=False)
    after_start = models.DateField(_("measured after, from"), null=True, blank=True, editable=False)
    after_end = models.DateField(_("measured after, to"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    proposed_standard = models.OneToOneField(
        "standards.Standard",
        verbose_name=_("proposed standard version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_plan",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("service improvement plan")
        verbose_name_plural = _("service improvement plans")

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == PlanStatus.DRAFT


class PlanItem(models.Model):
    """One row of the 改进表: the indicator, its value before (measured), the target after, the actions."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    indicator = models.ForeignKey(
        "standards.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+"
    )
    value_before = models.DecimalField(
        _("value before"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    target = models.DecimalField(_("target after"), max_digits=10, decimal_places=2)
    actions = models.TextField(_("actions"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED, editable=False
    )
    percent = models.PositiveSmallIntegerField(_("percent done"), default=0, editable=False)
    value_after = models.DecimalField(
        _("value after"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "indicator"], name="improvement_item_once")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.indicator}"


class Approval(models.Model):
    """One signature (or refusal) on the 改进表, in the round of approval it belongs to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="approvals")
    round = models.PositiveSmallIntegerField()
    step = models.CharField(_("step"), max_length=16, choices=ApprovalStep.choices)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan} {self.step} {self.decision}"


class Progress(models.Model):
    """A dated progress note on an item: its status, % done and what happened."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=12, choices=ItemStatus.choices)
    percent = models.PositiveSmallIntegerField(_("percent done"))
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.item} {self.on} {self.percent}%"
