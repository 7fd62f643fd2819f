"""Vocabularies of satisfaction surveys (seeds 000 客户服务调查表, 003 §7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Rating scale")
    NPS = "nps", _("Likelihood to recommend (0-10)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Free text")


SCORED_KINDS = frozenset({QuestionKind.SCALE, QuestionKind.NPS})


class SurveyStatus(models.TextChoices):
    OPEN = "open", _("Open for answers")
    CLOSED = "closed", pgettext_lazy("survey", "Closed")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    LINK = "link", _("Link or QR code")
    PHONE = "phone", _("Phone, entered by staff")


class Segment(models.TextChoices):
    GRADE = "grade", _("Grade")
    REGION = "region", _("Region")
    KEY = "is_key", _("Key customer")
