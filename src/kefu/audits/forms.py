"""Forms of the audit and evaluation pages; the services decide the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, User
from kefu.audits.choices import AuditStatus, EvaluationStatus
from kefu.audits.models import ChecklistSection
from kefu.customers.choices import Ownership
from kefu.standards.forms import Styled

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditForm(Styled):
    audited_on = forms.DateField(label=_("Date"), widget=DATE)
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    departments = forms.ModelMultipleChoiceField(
        label=_("Departments"), queryset=Department.objects.all(), widget=forms.SelectMultiple(attrs={"size": 5})
    )
    scope = forms.CharField(label=_("Scope"), required=False, max_length=200)
    auditor = forms.ModelChoiceField(label=_("Reviewer"), queryset=User.objects.filter(is_active=True))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class QuestionForm(Styled):
    section = forms.ModelChoiceField(label=_("Checked area"), queryset=ChecklistSection.objects.all())
    text = forms.CharField(label=_("Question"), max_length=300)


class EvaluationForm(Styled):
    filled_on = forms.DateField(label=_("Date filled in"), widget=DATE)
    period_start = forms.DateField(label=_("Period from"), widget=DATE)
    period_end = forms.DateField(label=_("Period to"), widget=DATE)
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All types")), *Ownership.choices]
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("Related departments"),
        queryset=Department.objects.all(),
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    opinion = forms.CharField(label=_("Evaluation opinion"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AuditFilterForm(Styled):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("any")), *AuditStatus.choices])
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE)


class EvaluationFilterForm(Styled):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("any")), *EvaluationStatus.choices])
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All types")), *Ownership.choices]
    )


class SurveyPeriodForm(Styled):
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=Ownership.choices, initial=Ownership.FOREIGN)
