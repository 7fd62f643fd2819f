"""Forms of the improvement pages; the services decide the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.customers.choices import Ownership
from kefu.improvement.choices import ItemStatus
from kefu.standards.forms import Styled
from kefu.standards.models import Indicator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CycleForm(Styled):
    name = forms.CharField(label=_("Name"), max_length=80)
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To"), widget=DATE)
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All types")), *Ownership.choices]
    )


class AnalysisForm(Styled):
    departments = forms.ModelMultipleChoiceField(
        label=_("Participating departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    summary = forms.CharField(
        label=_("Conclusions and measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for indicator in indicators:
            self.fields[f"cause_{indicator.pk}"] = forms.CharField(
                label=indicator.name, required=False, widget=forms.Textarea(attrs={"rows": 2})
            )
        self.style()

    def causes(self) -> dict[int, str]:
        return {
            int(name.removeprefix("cause_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("cause_")
        }


class PlanForm(Styled):
    departments = forms.ModelMultipleChoiceField(
        label=_("Related departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    note = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemForm(Styled):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True))
    target = forms.DecimalField(label=_("Target after"), max_digits=10, decimal_places=2, min_value=0)
    actions = forms.CharField(label=_("Actions"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.filter(is_active=True))
    starts_on = forms.DateField(label=_("Start"), widget=DATE)
    ends_on = forms.DateField(label=_("End"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ProgressForm(Styled):
    on = forms.DateField(label=_("Date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ItemStatus.choices)
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(Styled):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CompleteForm(Styled):
    after_start = forms.DateField(label=_("Measure after, from"), widget=DATE)
    after_end = forms.DateField(label=_("Measure after, to"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProposeForm(Styled):
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"target_{item.pk}"] = forms.DecimalField(
                label=item.indicator.name, required=False, max_digits=10, decimal_places=2, min_value=0
            )
        self.style()

    def targets(self) -> dict[int, Any]:
        return {
            int(name.removeprefix("target_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("target_")
        }
