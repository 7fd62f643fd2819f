"""Forms of the visit pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.forms import bootstrapify
from kefu.customers.choices import Grade
from kefu.visits.choices import Outcome
from kefu.visits.models import VisitPolicy, VisitRule, VisitScript


class OutcomeForm(forms.Form):
    """What the customer said (必须保证回访信息的完整记录)."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    evaluation = forms.CharField(
        label=_("Customer's evaluation"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    improvement = forms.CharField(
        label=_("What should we improve?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the customer is so-so or dissatisfied."),
    )
    suggestions = forms.CharField(
        label=_("Suggestions raised"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    complaints = forms.CharField(
        label=_("Complaints raised"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "outcome":
                field.widget.attrs.setdefault("class", "form-control")


class RuleForm(forms.ModelForm):
    class Meta:
        model = VisitRule
        fields = (
            "code",
            "name",
            "kind",
            "grade",
            "key_customers",
            "interval_months",
            "event",
            "follows",
            "delay_hours",
            "method",
            "script",
            "team",
            "position",
            "is_active",
        )

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["follows"].queryset = VisitRule.objects.exclude(pk=self.instance.pk)
        bootstrapify(self)


class ScriptForm(forms.ModelForm):
    class Meta:
        model = VisitScript
        fields = ("code", "name", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"body": _("Placeholders: {customer} {contact} {title} {agent} {company}")}

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        bootstrapify(self)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = VisitPolicy
        fields = ("rest_hours", "retry_hours", "max_attempts", "care_sms_per_week")

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        bootstrapify(self)


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    body = forms.CharField(
        label=_("Message"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Placeholders: {customer} {contact} {company}"),
    )
    grade = forms.ChoiceField(label=_("Customer grade"), choices=[("", _("any")), *Grade.choices], required=False)
    key_customers_only = forms.BooleanField(label=_("Key customers only"), required=False)
    send_at = forms.DateTimeField(
        label=_("Send at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)
