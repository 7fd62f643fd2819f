"""Vocabularies of the 客户服务检查表 and 客户服务评价表 (seed 000)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", pgettext_lazy("audit", "Completed")


class Result(models.TextChoices):
    """An answer to a checklist question (检查结果)."""

    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")
    NOT_APPLICABLE = "na", _("Not applicable")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNING = "signing", _("Being countersigned")
    FINAL = "final", _("Final")


class Level(models.IntegerChoices):
    """The seed's three levels of the 评价表: 好(10) 一般(5) 差(0)."""

    GOOD = 10, _("Good (10)")
    FAIR = 5, _("Fair (5)")
    POOR = 0, _("Poor (0)")


class SignerRole(models.TextChoices):
    """The 评价会签 of the seed, in signing order: the form filler, each related department's manager, the CS
    manager last."""

    FILLER = "filler", _("Form filler")
    DEPT_MANAGER = "dept_manager", _("Related department manager")
    CS_MANAGER = "cs_manager", _("Customer service manager")
