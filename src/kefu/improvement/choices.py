"""Vocabularies of the improvement loop (seed 000, 客户服务分析 / 改进表 / 标准更新)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CS_APPROVAL = "cs_approval", _("Waiting for the customer service manager")
    DEPT_APPROVAL = "dept_approval", _("Waiting for the department managers")
    GM_APPROVAL = "gm_approval", _("Waiting for the general manager")
    APPROVED = "approved", _("Approved, in progress")
    COMPLETED = "completed", _("Completed")


class ApprovalStep(models.TextChoices):
    """The sign-off boxes of the 改进表, in the order they are signed."""

    CS_MANAGER = "cs_manager", _("Customer service manager")
    DEPT_MANAGER = "dept_manager", _("Related department manager")
    GENERAL_MANAGER = "general_manager", _("General manager")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
