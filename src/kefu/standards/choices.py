"""Vocabularies of the service standards (seed 000, 客户服务标准单)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Measurement(models.TextChoices):
    COMPUTED = "computed", _("Computed by Kefu")
    MANUAL = "manual", _("Entered by hand")


class StandardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
