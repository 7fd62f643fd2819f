"""The customer archive (客户档案): customers, contacts, grade rules, change requests, access log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField
from kefu.core.validators import validate_cn_id_number, validate_cn_mobile, validate_cn_phone
from kefu.customers.choices import (
    AccessAction,
    ChangeStatus,
    Channel,
    CooperationMode,
    CreditRating,
    CustomerKind,
    CustomerRole,
    Grade,
    Industry,
    Loyalty,
    Ownership,
    Region,
    Satisfaction,
    ServiceType,
    VerificationMethod,
)


class Customer(models.Model):
    """A company or person the company serves, with its classification and computed grade."""

    number = models.CharField(_("customer number"), max_length=24, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.COMPANY)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    id_number = EncryptedTextField(
        _("ID number"),
        blank=True,
        validators=[validate_cn_id_number],
        help_text=_("Resident ID of a person customer."),
    )
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    registration_number = models.CharField(_("unified social credit code"), max_length=30, blank=True)
    ownership = models.CharField(_("ownership type"), max_length=12, choices=Ownership.choices)
    credit_rating = models.CharField(
        _("credit rating"), max_length=3, choices=CreditRating.choices, default=CreditRating.A
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, default=Industry.OTHER)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices)
    city = models.CharField(_("city"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.TERMINAL)
    customer_role = models.CharField(
        _("customer role"), max_length=10, choices=CustomerRole.choices, default=CustomerRole.SHIPPER
    )
    cooperation_mode = models.CharField(
        _("cooperation mode"), max_length=12, choices=CooperationMode.choices, default=CooperationMode.SPOT
    )
    cooperation_start = models.DateField(_("cooperation since"), null=True, blank=True)
    service_type = models.CharField(
        _("product / service type"), max_length=15, choices=ServiceType.choices, default=ServiceType.LTL
    )
    satisfaction = models.CharField(_("satisfaction level"), max_length=15, choices=Satisfaction.choices, blank=True)
    loyalty = models.CharField(_("brand loyalty"), max_length=8, choices=Loyalty.choices, blank=True)
    annual_amount = models.DecimalField(
        _("annual business (10k CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_key = models.BooleanField(_("key customer"), default=False)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("service team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.C, editable=False)
    computed_grade = models.CharField(max_length=1, choices=Grade.choices, default=Grade.C, editable=False)
    grade_override = models.CharField(_("grade override"), max_length=1, choices=Grade.choices, blank=True)
    grade_override_reason = models.CharField(_("override reason"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    complaint_count = models.PositiveIntegerField(_("complaints"), default=0, editable=False)
    last_complaint_at = models.DateTimeField(_("last complaint"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [
            models.Index(fields=["grade", "-created_at"], name="customer_grade_idx"),
            models.Index(fields=["region", "-created_at"], name="customer_region_idx"),
            models.Index(fields=["team", "-created_at"], name="customer_team_idx"),
            models.Index(fields=["account_manager", "-created_at"], name="customer_manager_idx"),
            models.Index(fields=["-created_at", "-id"], name="customer_created_idx"),
            # The home page's figures (`customer_overview`) read only this index, not the wide rows.
            models.Index(
                fields=["grade", "region", "channel", "customer_role", "is_key", "created_at"],
                condition=models.Q(is_active=True),
                name="customer_overview_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cooperation_years(self) -> int | None:
        """Whole years since cooperation started (合作时限)."""
        if self.cooperation_start is None:
            return None
        return years_between(self.cooperation_start, timezone.localdate())


class Contact(models.Model):
    """A person to talk to at a customer; phone numbers are encrypted with a lookup hash."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    mobile = EncryptedTextField(_("mobile"), blank=True, validators=[validate_cn_mobile])
    mobile_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    landline = EncryptedTextField(_("landline"), blank=True, validators=[validate_cn_phone])
    landline_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    preferred_contact_time = models.CharField(
        _("preferred contact time"),
        max_length=60,
        blank=True,
        help_text=_("For example: weekdays 10:00-11:30"),
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class GradeRule(models.Model):
    """One rule of the A/B/C grading; rules are tried by position and the first that matches wins.

    An empty condition always holds. A customer matching no rule is graded C.
    """

    position = models.PositiveSmallIntegerField(_("position"), default=10)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    name = models.CharField(_("name"), max_length=80)
    min_annual_amount = models.DecimalField(
        _("minimum annual business (10k CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    min_cooperation_years = models.PositiveSmallIntegerField(_("minimum cooperation years"), null=True, blank=True)
    min_credit_rating = models.CharField(
        _("minimum credit rating"), max_length=3, choices=CreditRating.choices, blank=True
    )
    key_customer = models.BooleanField(_("key customers only"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("grade rule")
        verbose_name_plural = _("grade rules")

    def __str__(self) -> str:
        return f"{self.grade}: {self.name}"


class ChangeRequest(models.Model):
    """客户信息变更登记表: a change proposed by staff outside customer service, applied after verification."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="change_requests")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="submitted_changes"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    changes = models.JSONField(_("requested changes"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING)
    verification_method = models.CharField(
        _("identity verified by"), max_length=20, choices=VerificationMethod.choices, blank=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewed_changes",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    applied_changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        indexes = [models.Index(fields=["status", "-submitted_at"], name="change_status_idx")]

    def __str__(self) -> str:
        return f"{self.customer} #{self.pk}"


class AccessLog(models.Model):
    """查阅/借阅登记: every view or export of the archive, who and when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.CASCADE, related_name="access_logs")
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("archive access")
        verbose_name_plural = _("archive access log")
        indexes = [models.Index(fields=["customer", "-at"], name="access_customer_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.customer or ''}"


def years_between(start: dt.date, today: dt.date) -> int:
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)
