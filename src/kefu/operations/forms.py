"""Forms parse and type-check; the business rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.forms import bootstrapify
from kefu.operations.choices import CompensationBasis, EventKind, ExceptionKind, VehicleType
from kefu.operations.models import CompensationStandard, Driver, Order, StockItem, Vehicle
from kefu.operations.services import ORDER_FIELDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)


class OrderForm(forms.ModelForm):
    customer_number = forms.CharField(label=_("Customer number"), max_length=24)

    class Meta:
        model = Order
        fields = tuple(name for name in ORDER_FIELDS if name != "customer")  # the customer is chosen apart
        widgets = {"pickup_at": DATETIME, "promised_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields = ["customer_number", *[f for f in self.fields if f != "customer_number"]]
        self.fields["stock_item"].queryset = StockItem.objects.order_by("sku")
        bootstrapify(self)

    def _post_clean(self) -> None:
        """Model validation runs in the services, which report the field at fault."""


class ReasonForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DispatchForm(_Form):
    vehicle = forms.ModelChoiceField(label=_("Vehicle"), queryset=Vehicle.objects.filter(is_active=True))
    driver = forms.ModelChoiceField(label=_("Driver"), queryset=Driver.objects.filter(is_active=True))
    override_reason = forms.CharField(label=_("Reason for another vehicle type"), max_length=200, required=False)


class EventForm(_Form):
    kind = forms.ChoiceField(label=_("Event"), choices=[c for c in EventKind.choices if c[0] != EventKind.EXCEPTION])
    occurred_at = forms.DateTimeField(label=_("Time"), widget=DATETIME)
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class DeliveryForm(_Form):
    delivered_at = forms.DateTimeField(label=_("Delivered at"), widget=DATETIME)
    pieces_delivered = forms.IntegerField(label=_("Pieces delivered"), min_value=0)
    intact = forms.BooleanField(label=_("Goods intact"), required=False)
    signed_by = forms.CharField(label=_("Signed by"), max_length=60)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ExceptionForm(_Form):
    kind = forms.ChoiceField(label=_("What went wrong"), choices=ExceptionKind.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}))
    photos = MultipleFileField(label=_("Photos"), required=False)


class ClaimForm(_Form):
    basis = forms.ChoiceField(label=_("Basis"), choices=CompensationBasis.choices)
    amount_claimed = forms.DecimalField(label=_("Amount claimed (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    exception = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AssessForm(_Form):
    amount = forms.DecimalField(
        label=_("Assessed amount (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Leave empty to use the compensation standard."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PayForm(_Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=60)
    version = forms.IntegerField(widget=forms.HiddenInput)


class VersionForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class VehicleForm(_Form):
    plate = forms.CharField(label=_("Plate"), max_length=12)
    vehicle_type = forms.ChoiceField(label=_("Vehicle type"), choices=VehicleType.choices)
    capacity_kg = forms.IntegerField(label=_("Capacity (kg)"), min_value=0)


class DriverForm(_Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    phone = forms.CharField(label=_("Phone"), max_length=20)
    vehicle = forms.ModelChoiceField(label=_("Usual vehicle"), queryset=Vehicle.objects.all(), required=False)


class StockTakeForm(_Form):
    item = forms.ModelChoiceField(label=_("Stock item"), queryset=StockItem.objects.all())
    counted = forms.IntegerField(label=_("Counted"), min_value=0)
    damaged = forms.IntegerField(label=_("Damaged"), min_value=0)


class StandardForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CompensationStandard
        fields = ("basis", "goods_type", "percent_of_value", "per_day", "cap")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrapify(self)

    def _post_clean(self) -> None:
        """Validated by the service."""


class ImportForm(_Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))


class CreditForm(_Form):
    customer_number = forms.CharField(label=_("Customer number"), max_length=24)
    order_limit = forms.DecimalField(label=_("Order amount limit (CNY)"), max_digits=12, decimal_places=2, min_value=0)
    balance_limit = forms.DecimalField(
        label=_("Outstanding balance limit (CNY)"), max_digits=12, decimal_places=2, min_value=0
    )
