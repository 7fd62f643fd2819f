"""Shared kernel data: the audit trail, the business calendar, numbering and search tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a row of an append-only table."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk writes obey the append-only rule too: only the sealer may set `seal` and `row_hash`."""

    _SEALER_FIELDS = frozenset({"seal", "seal_id", "row_hash"})

    def update(self, **kwargs: object) -> int:
        if not set(kwargs) <= self._SEALER_FIELDS:
            raise AppendOnlyError("audit events are append-only")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One business action: who did what to which record, with the values before and after.

    Rows are append-only. The worker seals committed rows in batches (`AuditSeal`);
    `row_hash` is the hash the seal covers, so an edit after sealing is detectable.
    """

    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=40)
    subject_label = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    seal = models.ForeignKey("AuditSeal", null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    row_hash = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-occurred_at"], name="audit_subject_idx"),
            models.Index(fields=["id"], condition=models.Q(seal__isnull=True), name="audit_unsealed_idx"),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.action} {self.subject_type}:{self.subject_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditSeal(models.Model):
    """A batch of audit rows sealed by the worker: its hash covers the rows and the previous seal."""

    sealed_at = models.DateTimeField()
    first_event_id = models.BigIntegerField()
    last_event_id = models.BigIntegerField()
    event_count = models.PositiveIntegerField()
    previous_hash = models.CharField(max_length=64)
    seal_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit seal")
        verbose_name_plural = _("audit seals")

    def __str__(self) -> str:
        return f"seal {self.pk} ({self.first_event_id}-{self.last_event_id})"


class WorkCalendar(models.Model):
    """A business calendar: the weekly working-hour pattern and whether the State Council calendar applies.

    `weekly_hours` maps ISO weekday numbers ("1" = Monday) to a list of ["HH:MM", "HH:MM"]
    working periods; a weekday missing from the map is a day off.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    weekly_hours = models.JSONField(_("weekly working hours"))
    follow_statutory_holidays = models.BooleanField(
        _("follow Chinese statutory holidays and adjusted working days"), default=True
    )
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """A manager-entered exception: a closure on a working day or an extra working day."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        WORKING = "working", _("Extra working day")

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="one_exception_per_day")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class NumberSequence(models.Model):
    """Counter behind human-readable numbers such as TS-20261122-0007, one row per prefix and day."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"


class SearchToken(models.Model):
    """One token of a record's searchable text; `kind` names the record type (e.g. "customer")."""

    kind = models.CharField(max_length=20)
    token = models.CharField(max_length=24)
    object_id = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "token", "object_id"], name="search_token_idx"),
            models.Index(fields=["kind", "object_id"], name="search_object_idx"),
        ]
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")

    def __str__(self) -> str:
        return f"{self.kind}:{self.token}->{self.object_id}"
