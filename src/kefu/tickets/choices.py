"""Vocabularies of cases (seeds 001 §4, 002 §4, 003 §8, 004 篇5-7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.customers.choices import Satisfaction as Satisfaction  # follow-ups use the archive's satisfaction scale


class CaseKind(models.TextChoices):
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")
    INQUIRY = "inquiry", _("Inquiry")
    SERVICE_REQUEST = "service_request", _("Service request")


NUMBER_PREFIX = {
    CaseKind.COMPLAINT: "TS",
    CaseKind.SUGGESTION: "JY",
    CaseKind.INQUIRY: "ZX",
    CaseKind.SERVICE_REQUEST: "FW",
}


class ComplaintNature(models.TextChoices):
    SOFT = "soft", _("Soft complaint (service, attitude, environment)")
    HARD = "hard", _("Hard complaint (product or shipment, visible evidence)")


class Severity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    SERIOUS = "serious", _("Serious")
    MAJOR = "major", _("Major")


class Priority(models.IntegerChoices):
    URGENT = 1, _("P1 urgent")
    HIGH = 2, _("P2 high")
    MEDIUM = 3, _("P3 medium")
    LOW = 4, _("P4 low")


class CaseChannel(models.TextChoices):
    HOTLINE = "hotline", _("400 hotline")
    WALK_IN = "walk_in", _("Walk-in")
    VISIT = "visit", _("Visit")
    EMAIL = "email", _("Email")
    PORTAL = "portal", _("Customer portal")
    API = "api", _("API")
    SMS = "sms", _("SMS")


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    INVALID = "invalid", _("Not valid")
    ASSIGNED = "assigned", _("Waiting for the department to accept")
    INVESTIGATING = "investigating", _("Investigating")
    AWAITING_APPROVAL = "awaiting_approval", _("Solution waiting for approval")
    IMPLEMENTING = "implementing", _("Carrying out the solution")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Waiting for the customer's confirmation")
    RESOLVED = "resolved", _("Resolved, follow-up due")
    FOLLOWED_UP = "followed_up", _("Followed up")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


OPEN_STATUSES = frozenset(set(CaseStatus.values) - {CaseStatus.INVALID, CaseStatus.CLOSED})


class SolutionKind(models.TextChoices):
    COMPENSATION = "compensation", _("Compensation")
    REDELIVERY = "redelivery", _("Redelivery")
    REFUND = "refund", _("Refund")
    REPAIR = "repair", _("Repair")
    APOLOGY = "apology", _("Apology")
    OTHER = "other", _("Other")


class SolutionStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    NOT_CHOSEN = "not_chosen", _("Not chosen")
    REJECTED = "rejected", _("Rejected by the customer")


class Metric(models.TextChoices):
    """The clocks a case can run, each with its own time limit from the SLA policy."""

    REPORT_TO_SUPERVISOR = "report", _("Reported to the supervisor")
    FIRST_RESPONSE = "first_response", _("First response")
    VERIFICATION = "verification", _("Verified")
    SECOND_RESPONSE = "second_response", _("Second response")
    DEPARTMENT_ACCEPT = "department_accept", _("Accepted by the responsible department")
    RESOLUTION = "resolution", _("Resolved")
    FOLLOW_UP = "follow_up", _("Follow-up call")


class EscalationLevel(models.IntegerChoices):
    """The management chain of the seeds: 客服专员 → 客服主管 → 客户服务部经理 / 营销总监 → 总经理."""

    AGENT = 0, _("Agent")
    SUPERVISOR = 1, _("Supervisor")
    MANAGER = 2, _("CS manager / marketing director")
    GENERAL_MANAGER = 3, _("General manager")
