"""Forms of the case pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.accounts.forms import bootstrapify
from kefu.accounts.models import Department, User
from kefu.customers.models import Customer
from kefu.tickets.choices import (
    CaseChannel,
    CaseKind,
    ComplaintNature,
    Metric,
    Priority,
    Satisfaction,
    Severity,
    SolutionKind,
)
from kefu.tickets.models import Category, ServiceRequestType
from kefu.tickets.request_fields import form_fields
from kefu.tickets.services import ALLOWED_ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES

MAX_FILES = 5
ACCEPT = "image/*,application/pdf,text/plain,.docx,.xlsx"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; types and sizes are checked here for a clear message, and again by
    the attachment service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT, "class": "form-control"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for upload in files:
            _check_upload(upload)
        if len(files) > MAX_FILES:
            raise forms.ValidationError(
                _("You can send at most %(max)d files at a time."), params={"max": MAX_FILES}, code="too_many"
            )
        return files


def _check_upload(upload: Any) -> None:
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise forms.ValidationError(
            _("%(name)s: this type of file cannot be sent (photos, PDF, text, Word and Excel are accepted)."),
            params={"name": upload.name},
            code="type",
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise forms.ValidationError(_("%(name)s is larger than 10 MB."), params={"name": upload.name}, code="size")


class EvidenceForm(forms.Form):
    """Photos and files a member of staff adds to the case (received by hand, from the driver...)."""

    file = MultipleFileField(  # named as the attachment service names it in a refusal
        label=_("Photos or files"),
        required=True,
        help_text=_("Up to 5 files: photos, PDF, text, Word or Excel, at most 10 MB each."),
    )


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class CaseIntakeForm(StyledForm):
    """受理登记: what a hotline or front-desk agent records."""

    kind = forms.ChoiceField(label=_("Type"), choices=CaseKind.choices)
    nature = forms.ChoiceField(
        label=_("Complaint nature"), choices=[("", "—"), *ComplaintNature.choices], required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    request_type = forms.ModelChoiceField(
        label=_("Request type"),
        queryset=ServiceRequestType.objects.filter(is_active=True),
        required=False,
        widget=forms.Select(
            attrs={
                "hx-get": "",
                "hx-target": "#intake",
                "hx-select": "#intake",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        ),
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL)
    channel = forms.ChoiceField(label=_("Channel"), choices=CaseChannel.choices, initial=CaseChannel.HOTLINE)
    title = forms.CharField(label=pgettext_lazy("case", "Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    customer_number = forms.CharField(
        label=_("Customer number"), max_length=24, required=False, help_text=_("Leave empty for an unknown caller.")
    )
    caller_name = forms.CharField(label=_("Caller name"), max_length=60, required=False)
    caller_phone = forms.CharField(label=_("Caller phone"), max_length=20, required=False)
    caller_email = forms.EmailField(label=_("Caller email"), required=False)
    order_number = forms.CharField(label=_("Order / shipment number"), max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request_type = self._chosen_request_type()
        if request_type is not None:
            for name, field in form_fields(request_type.fields).items():
                self.fields[name] = field
            bootstrapify(self)

    def _chosen_request_type(self) -> ServiceRequestType | None:
        raw = (self.data or {}).get("request_type") or self.initial.get("request_type")
        if not raw or not str(raw).isdigit():
            return None
        return ServiceRequestType.objects.filter(pk=int(raw), is_active=True).first()

    def extra_values(self) -> dict[str, Any]:
        return {
            name.removeprefix("extra_"): (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in self.cleaned_data.items()
            if name.startswith("extra_") and value not in (None, "")
        }

    def clean_customer_number(self) -> Customer | None:
        number = self.cleaned_data["customer_number"].strip()
        if not number:
            return None
        customer = Customer.objects.filter(number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has the number %(number)s."), params={"number": number})
        return customer


class JudgeForm(StyledForm):
    valid = forms.TypedChoiceField(
        label=_("Judgement"),
        choices=[("1", _("Valid: route to the responsible department")), ("0", _("Not valid: explain and close"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Judgement / explanation to the customer"), widget=forms.Textarea(attrs={"rows": 3}))
    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.all(), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Responsible person"), queryset=User.objects.filter(is_active=True), required=False
    )
    expected_answer_at = forms.DateTimeField(
        label=_("Customer can expect an answer by"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class AcceptForm(StyledForm):
    assignee = forms.ModelChoiceField(
        label=_("Handled by"), queryset=User.objects.filter(is_active=True), required=False
    )


class InvestigateForm(StyledForm):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_department = forms.ModelChoiceField(
        label=_("Department at fault"), queryset=Department.objects.all(), required=False
    )
    responsible_person = forms.ModelChoiceField(
        label=_("Person at fault"), queryset=User.objects.filter(is_active=True), required=False
    )
    investigation_notes = forms.CharField(
        label=_("Investigation notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class SolutionForm(StyledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=SolutionKind.choices)
    description = forms.CharField(label=_("Solution"), widget=forms.Textarea(attrs={"rows": 2}))
    compensation_amount = forms.DecimalField(
        label=_("Compensation (CNY)"), min_value=0, max_digits=12, decimal_places=2, required=False
    )


class ImplementForm(StyledForm):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 2}))
    penalty = forms.CharField(
        label=_("Penalty on the responsible party"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ConfirmForm(StyledForm):
    accepted = forms.TypedChoiceField(
        label=_("Customer's answer"),
        choices=[("1", _("Accepts the solution")), ("0", _("Rejects the solution"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class FollowUpForm(StyledForm):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("What the customer said"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CloseForm(StyledForm):
    root_cause = forms.CharField(label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}))
    lesson = forms.CharField(label=_("Lesson learned"), widget=forms.Textarea(attrs={"rows": 2}))
    for_case_library = forms.BooleanField(label=_("Add to the case library"), required=False)


class WaitForm(StyledForm):
    waiting = forms.TypedChoiceField(
        label=_("Waiting for the customer"),
        choices=[("1", _("Yes: pause the clocks")), ("0", _("No: resume"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("Note"), required=False)


class PriorityForm(StyledForm):
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=200)


def assignable_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True)


class AssignForm(StyledForm):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=assignable_staff())


class CategoryForm(StyledForm):
    parent = forms.ModelChoiceField(label=_("Parent"), queryset=Category.objects.all(), required=False)
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=60)
    default_department = forms.ModelChoiceField(
        label=_("Usual responsible department"), queryset=Department.objects.all(), required=False
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, initial=100)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SlaTargetForm(StyledForm):
    metric = forms.ChoiceField(label=_("Clock"), choices=Metric.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", _("any")), *Severity.choices], required=False)
    minutes = forms.IntegerField(label=_("Time limit (minutes)"), min_value=1)
    round_the_clock = forms.BooleanField(label=_("Count all hours"), required=False)
