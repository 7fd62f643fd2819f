"""Cases (complaints, suggestions, inquiries, service requests), their solutions, SLA policies and clocks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.fields import EncryptedTextField
from kefu.tickets.choices import (
    OPEN_STATUSES,
    CaseChannel,
    CaseKind,
    CaseStatus,
    ComplaintNature,
    EscalationLevel,
    Metric,
    Priority,
    Satisfaction,
    Severity,
    SolutionKind,
    SolutionStatus,
)


class Category(models.Model):
    """A node of the category tree managers edit (运输延误, 货物破损 ...)."""

    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    default_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("usual responsible department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name


class ServiceRequestType(models.Model):
    """A kind of service request with the extra fields managers configure (e.g. ticket booking).

    `fields` is a list of {"name": "destination", "label": "目的地", "type": "text|date|number|choice",
    "required": true, "choices": [...]}.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    fields = models.JSONField(_("extra fields"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service request type")
        verbose_name_plural = _("service request types")

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    """One complaint, suggestion, inquiry or service request, from receipt to closure."""

    number = models.CharField(_("case number"), max_length=24, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=CaseKind.choices)
    nature = models.CharField(_("complaint nature"), max_length=10, choices=ComplaintNature.choices, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    request_type = models.ForeignKey(
        ServiceRequestType,
        verbose_name=_("request type"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    extra = models.JSONField(_("request details"), default=dict, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.MEDIUM)
    priority_overridden = models.BooleanField(default=False)
    title = models.CharField(pgettext_lazy("case", "title"), max_length=200)
    description = models.TextField(_("description"))
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # The customer's service team, copied by the services (and kept when the customer changes team)
    # so that an agent's scope, "my team's customers", filters on the case row instead of joining
    # every case to its customer. Not indexed: the scope always ORs it with other conditions.
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("service team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        db_index=False,
    )
    caller_name = models.CharField(_("caller name"), max_length=60, blank=True)
    caller_phone = EncryptedTextField(_("caller phone"), blank=True)
    caller_phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    caller_email = models.EmailField(_("caller email"), blank=True)
    order_number = models.CharField(_("order / shipment number"), max_length=40, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=24, choices=CaseStatus.choices, default=CaseStatus.RECEIVED, editable=False
    )
    waiting_for_customer = models.BooleanField(_("waiting for the customer"), default=False, editable=False)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="received_cases"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_cases",
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.AGENT
    )
    escalation_base = models.PositiveSmallIntegerField(
        choices=EscalationLevel.choices, default=EscalationLevel.AGENT, editable=False
    )
    judgement_note = models.TextField(_("judgement"), blank=True)
    expected_answer_at = models.DateTimeField(_("answer expected by"), null=True, blank=True)
    cause = models.TextField(_("cause"), blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department at fault"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person at fault"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    investigation_notes = models.TextField(_("investigation notes"), blank=True)
    penalty = models.TextField(_("penalty on the responsible party"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("reopened"), default=0, editable=False)
    appeal_count = models.PositiveSmallIntegerField(_("appeals"), default=0, editable=False)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True, editable=False)
    satisfaction = models.CharField(_("satisfaction"), max_length=15, choices=Satisfaction.choices, blank=True)
    follow_up_note = models.TextField(_("follow-up note"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    lesson = models.TextField(_("lesson learned"), blank=True)
    for_case_library = models.BooleanField(_("add to the case library"), default=False)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, editable=False)
    tracking_code = models.CharField(max_length=32, unique=True, editable=False)
    search_text = models.TextField(editable=False, blank=True)
    # The earliest due time of the case's running clocks (none when every clock is stopped or
    # paused), kept by the services so queues sort by deadline on an index.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="case_status_idx"),
            models.Index(fields=["next_due_at", "-received_at"], name="case_due_idx"),
            models.Index(fields=["assignee", "next_due_at"], name="case_assignee_due_idx"),
            models.Index(fields=["department", "next_due_at"], name="case_department_due_idx"),
            models.Index(fields=["customer", "-received_at"], name="case_customer_idx"),
            # The open cases' ids in order: a keyword search in an open queue merges this with the word's
            # tokens (also in id order) instead of visiting every case that ever held the word. On
            # PostgreSQL it also carries team, assignee, receiver and customer (migration 0009), so an
            # agent's scope is checked without reading the open cases.
            models.Index(fields=["id"], condition=models.Q(status__in=sorted(OPEN_STATUSES)), name="case_open_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status not in (CaseStatus.INVALID, CaseStatus.CLOSED)


class Solution(models.Model):
    """处理方案: one proposal for a case; the approver picks the best one."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="solutions")
    kind = models.CharField(_("kind"), max_length=15, choices=SolutionKind.choices)
    description = models.TextField(_("description"))
    compensation_amount = models.DecimalField(
        _("compensation (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SolutionStatus.choices, default=SolutionStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposed_at", "id"]
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description[:40]}"


class SlaPolicy(models.Model):
    """Time limits for the cases it matches; the most specific active policy wins.

    An empty matching field matches anything. Limits are minutes of business time on
    `calendar`, or of wall-clock time when `round_the_clock` is set.
    """

    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("type"), max_length=20, choices=CaseKind.choices, blank=True)
    nature = models.CharField(_("complaint nature"), max_length=10, choices=ComplaintNature.choices, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    customer_grade = models.CharField(_("customer grade"), max_length=1, blank=True)
    calendar = models.ForeignKey(
        "core.WorkCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the default calendar."),
    )
    round_the_clock = models.BooleanField(_("24x7"), default=False)
    warning_minutes = models.PositiveIntegerField(_("warn the owner this many minutes before a breach"), default=30)
    escalation_interval_minutes = models.PositiveIntegerField(
        _("escalate one more level every ... minutes after a breach"), default=60
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """One time limit of a policy; a limit for a given severity beats the one for any severity."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(_("clock"), max_length=20, choices=Metric.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    minutes = models.PositiveIntegerField(_("time limit (minutes)"))
    round_the_clock = models.BooleanField(
        _("count all hours"), default=False, help_text=_("E.g. the follow-up call within 24 hours.")
    )

    class Meta:
        ordering = ["policy", "metric", "severity"]
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        constraints = [models.UniqueConstraint(fields=["policy", "metric", "severity"], name="one_target_per_metric")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()} {self.minutes} min"


class CaseClock(models.Model):
    """One running or finished time limit of a case.

    `due_at` is recomputed on resume after a pause; the sweep flips `warned_at`,
    `breached_at` and the escalation level with compare-and-swap updates.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    policy = models.ForeignKey(SlaPolicy, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(default=0)
    # When the sweep next has something to do for this clock: the breach, then each further
    # escalation interval. Kept so a sweep reads only the clocks that need it.
    next_escalation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["case", "metric"], name="one_clock_per_metric")]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_running_due_idx",
            ),
            # With due_at beside warn_at the sweep's "warn now, not yet due" is one index range; on warn_at
            # alone PostgreSQL walked every running clock due later (0.8 s at 200,000 open cases).
            models.Index(
                fields=["warn_at", "due_at"],
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True, warned_at__isnull=True),
                name="clock_warn_due_idx",
            ),
            models.Index(
                fields=["next_escalation_at"],
                condition=models.Q(stopped_at__isnull=True, paused_at__isnull=True),
                name="clock_escalation_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.metric} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.paused_at is None


class ApprovalThreshold(models.Model):
    """Compensation from `min_amount` up needs an approver at `level` or above (configurable)."""

    min_amount = models.DecimalField(_("compensation from (CNY)"), max_digits=12, decimal_places=2, unique=True)
    level = models.PositiveSmallIntegerField(_("approver level"), choices=EscalationLevel.choices)

    class Meta:
        ordering = ["min_amount"]
        verbose_name = _("approval threshold")
        verbose_name_plural = _("approval thresholds")

    def __str__(self) -> str:
        return f"≥ {self.min_amount}: {self.get_level_display()}"


class Attachment(models.Model):
    """Evidence attached to a case: photos and files (types and sizes checked by the service)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="cases/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class CaseMessage(models.Model):
    """A message exchanged with the customer about a case (e-mail in or out, portal note, SMS).

    `message_id` is the e-mail Message-ID, so replies thread into the case.
    """

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("To the customer")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=CaseChannel.choices)
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")

    def __str__(self) -> str:
        return f"{self.case_id} {self.direction} {self.subject or self.body[:30]}"
