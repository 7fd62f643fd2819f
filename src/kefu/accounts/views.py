from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.forms import (
    DepartmentForm,
    LockoutAuthenticationForm,
    PasswordChangeForm,
    TeamForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
    bootstrapify,
)
from kefu.accounts.models import ApiToken, Role, User
from kefu.accounts.selectors import departments_with_counts, staff_list, tokens_of
from kefu.accounts.services import (
    api_token_issue,
    api_token_revoke,
    department_save,
    login_succeeded,
    team_create,
    user_change_password,
    user_create,
    user_set_language,
    user_unlock,
    user_update,
)
from kefu.core.services import DomainError
from kefu.core.ui import render_page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def get_form(self, form_class: type | None = None) -> LockoutAuthenticationForm:
        return bootstrapify(super().get_form(form_class))  # type: ignore[return-value]

    def form_valid(self, form: LockoutAuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        login_succeeded(user=form.get_user())
        return response


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Remember the language on the user (signed in) or in a cookie (anonymous)."""
    from django.views.i18n import set_language as django_set_language

    language = request.POST.get("language", "")
    if request.user.is_authenticated:
        try:
            user_set_language(user=request.user, language=language)
        except DomainError as exc:
            messages.error(request, exc.message)
    return django_set_language(request)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = bootstrapify(PasswordChangeForm(request.POST or None))
    if request.method == "POST" and form.is_valid():
        try:
            user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("accounts:profile")
    return render_page(request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = bootstrapify(TokenForm(request.POST or None))
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = api_token_issue(actor=request.user, user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            form = bootstrapify(TokenForm())
    return render_page(
        request,
        "accounts/profile.html",
        {"form": form, "tokens": tokens_of(request.user), "new_token": new_token},
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    """Departments and staff; administrators also add people and departments here."""
    can_manage = request.user.has_perm("accounts.manage_users")
    user_form = bootstrapify(UserCreateForm(request.POST if request.POST.get("form") == "user" else None))
    dept_form = bootstrapify(DepartmentForm(request.POST if request.POST.get("form") == "department" else None))
    team_form = bootstrapify(TeamForm(request.POST if request.POST.get("form") == "team" else None))
    if request.method == "POST":
        if not can_manage and not request.user.has_perm("accounts.manage_departments"):
            return HttpResponse(_("You are not allowed to do this."), status=403)
        if request.POST.get("form") == "user" and can_manage and user_form.is_valid():
            try:
                user_create(actor=request.user, **user_form.cleaned_data)
            except DomainError as exc:
                user_form.add_error(exc.field if exc.field in user_form.fields else None, exc.message)
            else:
                messages.success(request, _("Staff member added."))
                return redirect("accounts:directory")
        if request.POST.get("form") == "department" and dept_form.is_valid():
            try:
                department_save(actor=request.user, **dept_form.cleaned_data)
            except DomainError as exc:
                dept_form.add_error(exc.field if exc.field in dept_form.fields else None, exc.message)
            else:
                messages.success(request, _("Department saved."))
                return redirect("accounts:directory")
        if request.POST.get("form") == "team" and team_form.is_valid():
            try:
                team_create(actor=request.user, **team_form.cleaned_data)
            except DomainError as exc:
                team_form.add_error(exc.field if exc.field in team_form.fields else None, exc.message)
            else:
                messages.success(request, _("Team added."))
                return redirect("accounts:directory")
    department = request.GET.get("department")
    role = request.GET.get("role", "")
    staff = staff_list(
        department=int(department) if department and department.isdigit() and len(department) < 10 else None,
        role=role if role in Role.values else None,
        q=request.GET.get("q", "").strip(),
    )
    context = {
        "departments": departments_with_counts(),
        "staff": staff,
        "roles": Role.choices,
        "user_form": user_form,
        "dept_form": dept_form,
        "team_form": team_form,
        "can_manage": can_manage,
        "nav": "settings",
    }
    return render_page(
        request,
        "accounts/directory.html",
        context,
        fragment="staff",
        status=400 if user_form.errors or dept_form.errors or team_form.errors else 200,
    )


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign a role, department and team, or deactivate a member of staff."""
    person = get_object_or_404(User, pk=pk)
    initial = {name: getattr(person, name) for name in UserEditForm.base_fields if name != "version"}
    form = bootstrapify(UserEditForm(request.POST or None, initial={**initial, "version": person.version}))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            user_update(actor=request.user, user=person, version=form.cleaned_data["version"], **data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Staff member saved."))
            return redirect("accounts:directory")
    return render_page(
        request,
        "accounts/user_edit.html",
        {"form": form, "person": person, "nav": "settings"},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("accounts.manage_users", raise_exception=True)
@require_POST
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    user_unlock(actor=request.user, user=get_object_or_404(User, pk=pk))
    messages.success(request, _("Account unlocked."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("accounts:directory")
