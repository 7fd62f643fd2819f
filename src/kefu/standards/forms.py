"""Forms of the standards pages; the services decide the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department
from kefu.customers.choices import Ownership
from kefu.standards.choices import Direction, Measurement
from kefu.standards.computations import COMPUTATIONS
from kefu.standards.models import Indicator


class Styled(forms.Form):
    """Bootstrap classes on every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs.setdefault("class", css)


class IndicatorForm(Styled):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=60)
    department = forms.ModelChoiceField(label=_("Owning department"), queryset=Department.objects.all())
    unit = forms.CharField(label=_("Unit"), max_length=10, required=False)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    measurement = forms.ChoiceField(label=_("Measured"), choices=Measurement.choices)
    computation = forms.ChoiceField(label=_("Computation"), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["computation"].choices = [("", "—"), *((key, key) for key in COMPUTATIONS)]


class StandardForm(Styled):
    effective_from = forms.DateField(
        label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ItemForm(Styled):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True))
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        help_text=_("The indicator's own by default."),
    )
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=1, min_value=0, max_value=100)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in Ownership.choices:
            self.fields[f"target_{value}"] = forms.DecimalField(
                label=label, required=False, max_digits=10, decimal_places=2, min_value=0
            )
        self.style()

    def targets(self) -> dict[str, Any]:
        return {value: self.cleaned_data.get(f"target_{value}") for value in Ownership.values}


class PeriodForm(Styled):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All types")), *Ownership.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
    customer = forms.CharField(
        label=_("Customer number"), required=False, max_length=40, help_text=_("One customer's own figures.")
    )


class ReadingForm(Styled):
    month = forms.DateField(
        label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"), input_formats=["%Y-%m"]
    )
    customer_type = forms.ChoiceField(
        label=_("Customer type"), required=False, choices=[("", _("All types")), *Ownership.choices]
    )
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
