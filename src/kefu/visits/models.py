"""Follow-up visits (回访): rules managers edit, scripts, the tasks the worker generates, care SMS campaigns."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import Grade
from kefu.visits.choices import CampaignStatus, KeyCustomers, Method, Outcome, RuleKind, TaskStatus, VisitEvent


class VisitPolicy(models.Model):
    """The one row of visit settings: rest times (避免在客户休息时打擾客户), retries, the care-SMS cap."""

    rest_hours = models.CharField(
        _("customers' rest times"),
        max_length=200,
        default="12:00-14:00,21:00-09:00",
        help_text=_("Local times, comma separated; a period may cross midnight, e.g. 12:00-14:00,21:00-09:00"),
    )
    retry_hours = models.PositiveSmallIntegerField(
        _("retry a customer not reached after (hours)"), default=4, validators=[MinValueValidator(1)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before giving up"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    care_sms_per_week = models.PositiveSmallIntegerField(
        _("care SMS per customer per week, at most"), default=2, validators=[MaxValueValidator(7)]
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("visit settings")
        verbose_name_plural = _("visit settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class VisitScript(models.Model):
    """话术: a call script with placeholders {customer} {contact} {title} {agent} {company}."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("script"))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("visit script")
        verbose_name_plural = _("visit scripts")

    def __str__(self) -> str:
        return self.name


class VisitRule(models.Model):
    """When a customer is visited: periodically by grade, or a delay after an event."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=RuleKind.choices)
    grade = models.CharField(_("customer grade"), max_length=1, choices=Grade.choices, blank=True)
    key_customers = models.CharField(_("key customers"), max_length=8, choices=KeyCustomers.choices, blank=True)
    interval_months = models.PositiveSmallIntegerField(
        _("every (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    event = models.CharField(_("event"), max_length=60, choices=VisitEvent.choices, blank=True)
    follows = models.ForeignKey(
        "self",
        verbose_name=_("after a visit of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_by",
    )
    delay_hours = models.PositiveIntegerField(_("delay (hours)"), default=24)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices, default=Method.PHONE)
    script = models.ForeignKey(
        VisitScript, verbose_name=_("script"), null=True, blank=True, on_delete=models.SET_NULL, related_name="rules"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("queue when the customer has no account manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")

    def __str__(self) -> str:
        return self.name


class VisitTask(models.Model):
    """One visit to make. (customer, rule, occasion) is unique, so generating twice creates nothing new.

    The daily job inserts up to one row per customer at once. PostgreSQL checks each foreign key of each
    inserted row at commit (and locks the referenced row), so contact, assignee and team carry no
    database constraint: they are nullable, SET_NULL on delete (done by Django), and checked by the
    code that sets them. Rule and customer keep theirs.
    """

    # rule is in the unique constraint, assignee and team lead the composite indexes: no index of their own
    rule = models.ForeignKey(
        VisitRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="tasks", db_index=False
    )
    # the unique constraint (customer, rule, occasion) serves lookups by customer
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="visit_tasks",
        db_index=False,
        db_constraint=False,
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,  # see the class docstring
    )
    occasion = models.CharField(_("occasion"), max_length=60)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    due_at = models.DateTimeField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visit_tasks",
        db_index=False,
        db_constraint=False,
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    is_key = models.BooleanField(_("key customer"), default=False)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    evaluation = models.TextField(_("customer's evaluation"), blank=True)
    improvement = models.TextField(_("what to improve"), blank=True)
    suggestions = models.TextField(_("suggestions raised"), blank=True)
    complaints = models.TextField(_("complaints raised"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    case = models.ForeignKey(
        "tickets.Case",
        verbose_name=_("case opened"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.UniqueConstraint(fields=["customer", "rule", "occasion"], name="visit_once_per_occasion"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="visit_status_due_idx"),
            models.Index(fields=["assignee", "status", "due_at"], name="visit_assignee_idx"),
            models.Index(fields=["team", "status", "due_at"], name="visit_team_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.customer}"

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN


class CareCampaign(models.Model):
    """A scheduled customer-care SMS (greetings, festival wishes) to a segment, within the weekly cap."""

    name = models.CharField(_("name"), max_length=80)
    body = models.TextField(_("message"), max_length=300, help_text=_("Placeholders: {customer} {contact} {company}"))
    grade = models.CharField(_("customer grade"), max_length=1, choices=Grade.choices, blank=True)
    key_customers_only = models.BooleanField(_("key customers only"), default=False)
    send_at = models.DateTimeField(_("send at"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.SCHEDULED
    )
    sent_count = models.PositiveIntegerField(_("sent"), default=0)
    capped_count = models.PositiveIntegerField(_("held back by the weekly cap"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-send_at", "-id"]
        verbose_name = _("care campaign")
        verbose_name_plural = _("care campaigns")

    def __str__(self) -> str:
        return self.name


class CareMessage(models.Model):
    """One care SMS to one customer; the weekly cap counts these."""

    campaign = models.ForeignKey(CareCampaign, on_delete=models.CASCADE, related_name="messages")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="care_once_per_campaign")]
        indexes = [models.Index(fields=["customer", "-sent_at"], name="care_customer_idx")]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.customer_id}"
