from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Department, Role, Team, User
from kefu.accounts.services import login_failed


class LockoutAuthenticationForm(AuthenticationForm):
    """Django's login form that refuses locked accounts and counts failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed logins: this account is locked until %(until)s. Try again later."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            user = User.objects.filter(username=username).first()
            if user is not None and user.is_locked:
                raise forms.ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"until": timezone.localtime(user.locked_until).strftime("%H:%M")},
                )
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                login_failed(username=username)
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Token name"), max_length=60, help_text=_("e.g. the system that will use it"))


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Display name"), max_length=60)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.select_related("department"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput)


class UserEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    display_name = forms.CharField(label=_("Display name"), max_length=60, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all(), required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.select_related("department"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class TeamForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    name = forms.CharField(label=_("Team name"), max_length=60)


class DepartmentForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Department to rename (empty: add a new one)"),
        queryset=Department.objects.all(),
        required=False,
    )
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    is_customer_service = forms.BooleanField(label=_("Customer-service department"), required=False)


def bootstrapify(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")
    return form
