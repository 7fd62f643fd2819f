"""Vocabularies of follow-up visits (seeds 001 §3, 002 §5, 004 篇1/篇5)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RuleKind(models.TextChoices):
    PERIODIC = "periodic", _("Periodic, by grade")
    EVENT = "event", _("After an event")


class KeyCustomers(models.TextChoices):
    ONLY = "only", _("Key customers only")
    EXCLUDE = "exclude", _("All but key customers")


class Method(models.TextChoices):
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    ON_SITE = "on_site", _("On-site visit")
    LETTER = "letter", _("Thank-you letter")


# Methods that reach the customer in person at a given moment: rest times apply to them.
INTERRUPTING_METHODS = frozenset({Method.PHONE, Method.ON_SITE, Method.WECHAT})


class TaskStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", pgettext_lazy("visit", "Done")
    UNREACHABLE = "unreachable", _("Not reached, given up")
    CANCELLED = "cancelled", _("Cancelled")


class Outcome(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("So-so")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")
    NOT_REACHED = "not_reached", _("Not reached")


UNHAPPY_OUTCOMES = frozenset({Outcome.NEUTRAL, Outcome.DISSATISFIED})


class VisitEvent(models.TextChoices):
    """Domain events an event-driven rule can follow. Events of apps still being built (operations)
    are listed so rules can be set up now; they fire once those apps publish them."""

    CASE_RESOLVED = "tickets.case.confirmed", _("Complaint resolved (customer accepted the solution)")
    DELIVERY_DONE = "operations.shipment.delivered", _("Delivery or sale completed")
    ORDER_PLACED = "operations.order.created", _("Order placed")
    REPAIR_DONE = "operations.repair.completed", _("Repair completed")
    SERVICE_STARTED = "operations.service.started", _("Start of service (move-in)")
    LOW_SURVEY_SCORE = "surveys.response.low_score", _("Low score in a satisfaction survey")
    OCCASION = "visits.occasion", _("Special occasion (holiday, anniversary, promotion)")
    PREVIOUS_VISIT_DONE = "visits.task.completed", _("A visit of the preceding rule was done")


class CampaignStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", pgettext_lazy("campaign", "Sent")
    CANCELLED = "cancelled", _("Cancelled")
