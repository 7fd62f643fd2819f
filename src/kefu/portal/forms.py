"""The customer's forms: submit a case, find it again, and answer on the tracking page."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kefu.core.validators import validate_cn_mobile
from kefu.tickets.choices import CaseKind, ComplaintNature
from kefu.tickets.forms import ACCEPT, MultipleFileField, MultipleFileInput

# What the customer picks, in plain words: (value, label, explanation) → (kind, nature).
KIND_OPTIONS: list[tuple[str, Any, Any]] = [
    (
        "complaint_soft",
        _("Complaint about our service"),
        _("For example a rude driver, no call-back, waiting too long. Nothing you can photograph."),
    ),
    (
        "complaint_hard",
        _("Complaint about a shipment"),
        _("For example goods damaged, lost, late or delivered to the wrong place. Photos help us."),
    ),
    ("suggestion", pgettext_lazy("portal", "Suggestion"), _("An idea to make our service better.")),
    ("inquiry", pgettext_lazy("portal", "Question"), _("Ask us about prices, delivery times, documents and so on.")),
    (
        "service_request",
        pgettext_lazy("portal", "Service request"),
        _("Ask us to do something, e.g. pick up, redeliver or re-issue."),
    ),
]
KIND_MAP: dict[str, tuple[str, str]] = {
    "complaint_soft": (CaseKind.COMPLAINT, ComplaintNature.SOFT),
    "complaint_hard": (CaseKind.COMPLAINT, ComplaintNature.HARD),
    "suggestion": (CaseKind.SUGGESTION, ""),
    "inquiry": (CaseKind.INQUIRY, ""),
    "service_request": (CaseKind.SERVICE_REQUEST, ""),
}


def _uploads_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Photos or files (optional)"),
        help_text=_("Up to 5 files: photos, PDF, text, Word or Excel, at most 10 MB each."),
        widget=MultipleFileInput(attrs={"accept": ACCEPT, "class": "form-control form-control-lg"}),
    )


def _text(label: Any, *, max_length: int, required: bool = True, **attrs: Any) -> forms.CharField:
    widget_attrs = {"class": "form-control form-control-lg", **attrs}
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=forms.TextInput(attrs=widget_attrs)
    )


def _normalise_mobile(value: str) -> str:
    validate_cn_mobile(value)
    return str(phonenumbers.parse(value, "CN").national_number)


class PortalForm(forms.Form):
    """Fields with errors are marked for Bootstrap (is-invalid) and for screen readers (aria-invalid)."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"


class SubmitForm(PortalForm):
    kind = forms.ChoiceField(
        label=_("What is it about?"),
        choices=[(value, label) for value, label, _help in KIND_OPTIONS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what your message is about.")},
    )
    title = _text(pgettext_lazy("portal", "Subject"), max_length=200, placeholder=_("In a few words"))
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"class": "form-control form-control-lg", "rows": 5}),
        error_messages={"required": _("Please tell us what happened.")},
    )
    name = _text(pgettext_lazy("portal", "Your name"), max_length=60, autocomplete="name")
    mobile = _text(
        pgettext_lazy("portal", "Mobile number"),
        max_length=20,
        autocomplete="tel",
        inputmode="tel",
        placeholder="13812345678",
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"class": "form-control form-control-lg", "autocomplete": "email"}),
    )
    order_number = _text(_("Order or waybill number (optional)"), max_length=40, required=False)
    uploads = _uploads_field()
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling robots.
    website = forms.CharField(
        label=pgettext_lazy("honeypot", "Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_mobile(self) -> str:
        return _normalise_mobile(self.cleaned_data["mobile"])

    def kind_options(self) -> list[dict[str, Any]]:
        current = self["kind"].value()
        return [
            {"value": value, "label": label, "help": help_text, "checked": value == current}
            for value, label, help_text in KIND_OPTIONS
        ]

    def case_data(self) -> dict[str, Any]:
        kind, nature = KIND_MAP[self.cleaned_data["kind"]]
        return {
            "kind": kind,
            "nature": nature,
            "title": self.cleaned_data["title"].strip(),
            "description": self.cleaned_data["description"].strip(),
            "channel": "portal",
            "caller_name": self.cleaned_data["name"].strip(),
            "caller_phone": self.cleaned_data["mobile"],
            "caller_email": self.cleaned_data["email"],
            "order_number": self.cleaned_data["order_number"].strip(),
        }


class LookupForm(PortalForm):
    number = _text(
        pgettext_lazy("portal", "Case number"),
        max_length=24,
        autocapitalize="characters",
        placeholder="TS-20250101-0001",
    )
    mobile = _text(_("Mobile number you gave us"), max_length=20, autocomplete="tel", inputmode="tel")

    def clean_number(self) -> str:
        """Upper case, without spaces; TS202501010001 is read as TS-20250101-0001."""
        number = re.sub(r"\s", "", self.cleaned_data["number"]).upper()
        if match := re.fullmatch(r"([A-Z]{2})(\d{8})(\d{4,})", number):
            number = "-".join(match.groups())
        return number

    def clean_mobile(self) -> str:
        return _normalise_mobile(self.cleaned_data["mobile"])


def _reason(label: Any, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class AcceptForm(PortalForm):
    note = _reason(_("Anything to add? (optional)"), required=False)


class RejectForm(PortalForm):
    note = _reason(_("Why is the solution not acceptable?"))


class ObjectForm(PortalForm):
    reason = _reason(_("Why do you disagree?"))


class AppealForm(PortalForm):
    reason = _reason(_("Why are you not satisfied with the result?"))


class MessageForm(PortalForm):
    body = _reason(pgettext_lazy("portal", "Your message"), required=False)
    uploads = _uploads_field()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("body") or "").strip() and not data.get("uploads"):
            raise forms.ValidationError(_("Write a message or choose a file."), code="empty")
        return data
