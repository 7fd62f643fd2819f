"""The 客户服务检查表 (a checklist managers edit, and audits answered against it) and the 客户服务评价表
(scored items countersigned by the managers), seed 000."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.audits.choices import AuditStatus, EvaluationStatus, Level, Result, SignerRole
from kefu.customers.choices import Ownership


class ChecklistSection(models.Model):
    """A 检查项目 of the checklist (1.影响客户服务的信用规定 ...)."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("checked area"), max_length=80, unique=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")

    def __str__(self) -> str:
        return self.title


class ChecklistQuestion(models.Model):
    """A 检查内容 of the checklist; retired questions stay for the audits that answered them."""

    section = models.ForeignKey(ChecklistSection, on_delete=models.PROTECT, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["section__position", "position", "pk"]
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")

    def __str__(self) -> str:
        return self.text


class Audit(models.Model):
    """One audit of customer service against the checklist: who, when, which departments, which period."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=AuditStatus.choices, default=AuditStatus.DRAFT)
    audited_on = models.DateField(_("date"), default=dt.date.today)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    scope = models.CharField(_("scope"), max_length=200, blank=True)
    departments = models.ManyToManyField("accounts.Department", verbose_name=_("departments"), related_name="+")
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), on_delete=models.PROTECT, related_name="+"
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filled in by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-audited_on", "-pk"]
        verbose_name = _("service audit")
        verbose_name_plural = _("service audits")

    def __str__(self) -> str:
        return self.number

    @property
    def is_draft(self) -> bool:
        return self.status == AuditStatus.DRAFT


class AuditAnswer(models.Model):
    """The answer to one question, with the section and question text as they were when the audit began."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(
        ChecklistQuestion, null=True, blank=True, on_delete=models.SET_NULL, related_name="answers"
    )
    section_position = models.PositiveSmallIntegerField(default=0)
    section_title = models.CharField(_("checked area"), max_length=80)
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("question"), max_length=300)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["section_position", "position", "pk"]
        verbose_name = _("audit answer")
        verbose_name_plural = _("audit answers")

    def __str__(self) -> str:
        return f"{self.audit} · {self.text}"


class Evaluation(models.Model):
    """One 客户服务评价表: scored content items, the opinion, and the countersignatures."""

    number = models.CharField(_("number"), max_length=24, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    filled_on = models.DateField(_("date filled in"), default=dt.date.today)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    customer_type = models.CharField(_("customer type"), max_length=20, choices=Ownership.choices, blank=True)
    departments = models.ManyToManyField("accounts.Department", verbose_name=_("related departments"), related_name="+")
    opinion = models.TextField(_("evaluation opinion"), blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("form filler"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-filled_on", "-pk"]
        verbose_name = _("service evaluation")
        verbose_name_plural = _("service evaluations")

    def __str__(self) -> str:
        return self.number


class EvaluationItem(models.Model):
    """A 客户服务评价内容 row: the customer's and the internal score, a weight and who evaluated it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    content = models.CharField(_("evaluated content"), max_length=200)
    indicator = models.ForeignKey(
        "standards.Indicator",
        verbose_name=_("indicator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The internal score can be filled in from this indicator's measurement."),
    )
    dimension = models.ForeignKey(
        "surveys.Dimension",
        verbose_name=_("survey dimension"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The customer score comes from this dimension's score, else from the satisfaction index."),
    )
    customer_score = models.PositiveSmallIntegerField(_("customer score"), choices=Level.choices, null=True, blank=True)
    internal_score = models.PositiveSmallIntegerField(_("internal score"), choices=Level.choices, null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=1, default=1)
    evaluator = models.CharField(_("evaluated by"), max_length=60, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("evaluation item")
        verbose_name_plural = _("evaluation items")

    def __str__(self) -> str:
        return self.content


class Signature(models.Model):
    """One countersignature (会签): who signed in which capacity, and when."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="signatures")
    role = models.CharField(_("signed as"), max_length=20, choices=SignerRole.choices)
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("countersignature")
        verbose_name_plural = _("countersignatures")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "role", "department"], name="audits_one_signature_per_place"),
            models.UniqueConstraint(
                fields=["evaluation", "role"],
                condition=models.Q(department__isnull=True),
                name="audits_one_signature_per_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} {self.role} {self.user}"
