from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.forms import bootstrapify
from kefu.accounts.models import Team, User
from kefu.customers.choices import Grade, VerificationMethod
from kefu.customers.models import Contact, Customer, GradeRule
from kefu.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS


class CustomerForm(forms.ModelForm):
    """Parses and type-checks the archive fields; business rules live in the services."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        widgets = {
            "cooperation_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "address": forms.TextInput(),
            "id_number": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["account_manager"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["team"].queryset = Team.objects.select_related("department")
        self.fields["ownership"].help_text = _("The service standards set their targets per ownership type.")
        bootstrapify(self)

    def _post_clean(self) -> None:
        """Model validation runs in the services, which report the field at fault."""


class ContactForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "landline": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrapify(self)

    def _post_clean(self) -> None:
        """Validated by the services."""


class FirstContactForm(ContactForm):
    """The primary contact captured with a new customer; optional."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, prefix="contact", **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            field.required = False
        del self.fields["is_primary"]


class StyledForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrapify(self)


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class GradeOverrideForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=[("", _("Computed by rules")), *Grade.choices], required=False)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput)
    verification_method = forms.ChoiceField(
        label=_("Identity verified by"), choices=[("", "—"), *VerificationMethod.choices], required=False
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel (.xlsx) or CSV file"))
    valid_only = forms.BooleanField(label=_("Import the valid rows even if some rows are bad"), required=False)


class GradeRuleForm(forms.ModelForm):
    class Meta:
        model = GradeRule
        fields = (
            "position",
            "grade",
            "name",
            "min_annual_amount",
            "min_cooperation_years",
            "min_credit_rating",
            "key_customer",
            "is_active",
        )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrapify(self)
