"""Satisfaction surveys (满意度调查): templates with dimensions and questions, distributions to a segment of
customers with one-time personal links, responses and their answers."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.customers.choices import Grade, Region
from kefu.surveys.choices import Channel, QuestionKind, SurveyStatus


class SurveyTemplate(models.Model):
    """A questionnaire managers edit; the satisfaction index weighs its dimensions."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    intro = models.TextField(_("introduction"), blank=True)
    low_score_below = models.DecimalField(
        _("a follow-up visit when the index is below"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    target_index = models.DecimalField(
        _("target satisfaction index"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")

    def __str__(self) -> str:
        return self.name


class Dimension(models.Model):
    """A dimension of the satisfaction index (服务质量, 物流时效, 价格合理性, 售后服务) with its weight."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="dimensions")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=10)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("index dimension")
        verbose_name_plural = _("index dimensions")
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="dimension_code_per_template")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    template = models.ForeignKey(SurveyTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=10)
    text = models.CharField(_("question"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    options = models.JSONField(
        _("options"), default=list, blank=True, help_text=_("Choices, or the scale labels from best to worst")
    )
    dimension = models.ForeignKey(
        Dimension, verbose_name=_("dimension"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def points(self) -> int:
        """Steps of a scale (7 for 非常好 … 非常差), 11 for NPS."""
        if self.kind == QuestionKind.NPS:
            return 11
        return len(self.options) if self.kind == QuestionKind.SCALE else 0


class Survey(models.Model):
    """One distribution of a template to a segment of customers, open until `closes_at`."""

    template = models.ForeignKey(SurveyTemplate, on_delete=models.PROTECT, related_name="surveys")
    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN)
    channel = models.CharField(_("sent by"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    segment = models.JSONField(_("customers"), default=dict, blank=True)
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"))
    invited_count = models.PositiveIntegerField(_("invited"), default=0)
    response_count = models.PositiveIntegerField(_("responses"), default=0)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """A recipient's personal one-time link; the token is the only key (no login)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="survey_invitations")
    contact = models.ForeignKey("customers.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=43, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "customer"], name="invitation_once_per_customer")]
        indexes = [models.Index(fields=["survey", "responded_at"], name="invitation_survey_idx")]

    def __str__(self) -> str:
        return f"{self.survey} → {self.customer_id}"


class Response(models.Model):
    """A customer's answers, accepted once per invitation. Segment fields are copied for the results."""

    invitation = models.OneToOneField(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="response"
    )
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="survey_responses")
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    channel = models.CharField(_("answered by"), max_length=10, choices=Channel.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    index_score = models.DecimalField(_("satisfaction index"), max_digits=5, decimal_places=1, null=True)
    comment = models.TextField(_("comments"), blank=True)
    search_text = models.TextField(editable=False, blank=True)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, blank=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)
    is_key = models.BooleanField(_("key customer"), default=False)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["survey", "-submitted_at"], name="response_survey_idx")]

    def __str__(self) -> str:
        return f"{self.survey} · {self.customer_id}"


class Answer(models.Model):
    """One answer. `score` (0-100) is set for scored questions; survey, dimension, month and the
    segment are copied from the response so the results come from one grouped scan."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    month = models.DateField()
    grade = models.CharField(max_length=1, blank=True)
    region = models.CharField(max_length=20, blank=True)
    is_key = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "question", "value"], name="answer_survey_idx")]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class AnswerCount(models.Model):
    """How many answers gave `value` to a question, per month and segment: the results are read from
    these few rows instead of scanning every answer. Kept by `response_submit`, rebuilt by
    `answer_counts_rebuild`."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    month = models.DateField()
    grade = models.CharField(max_length=1, blank=True)
    region = models.CharField(max_length=20, blank=True)
    is_key = models.BooleanField(default=False)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "question", "value", "month", "grade", "region", "is_key"],
                name="answer_count_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.value}: {self.n}"
