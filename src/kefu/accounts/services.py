"""Every write about departments, teams, users, logins and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import ApiToken, Department, Role, Team, User
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError, audit_record

TOKEN_PREFIX = "kefu_"  # noqa: S105 - a public prefix, not a secret


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password") from exc


@transaction.atomic
def department_save(
    *,
    actor: Any,
    code: str,
    name: str,
    is_customer_service: bool = False,
    department: Department | None = None,
) -> Department:
    """Add a department, or rename / re-code an existing one."""
    if actor is not None and not actor.has_perm("accounts.manage_departments"):
        raise PermissionDeniedError()
    others = Department.objects.exclude(pk=department.pk) if department is not None else Department.objects.all()
    if others.filter(code=code).exists():
        raise DomainError(_("A department with this code already exists."), field="code")
    if others.filter(name=name).exists():
        raise DomainError(_("A department with this name already exists."), field="name")
    created = department is None
    department = department or Department()
    before = {"code": department.code, "name": department.name}
    department.code, department.name, department.is_customer_service = code, name, is_customer_service
    if not created:
        department.version += 1
    department.save()
    audit_record(
        actor=actor,
        action="accounts.department.created" if created else "accounts.department.changed",
        subject=department,
        changes={"before": before, "after": {"code": code, "name": name}},
    )
    return department


@transaction.atomic
def team_create(*, actor: Any, department: Department, name: str, leader: User | None = None) -> Team:
    if actor is not None and not actor.has_perm("accounts.manage_departments"):
        raise PermissionDeniedError()
    if Team.objects.filter(department=department, name=name).exists():
        raise DomainError(_("This department already has a team with this name."), field="name")
    team = Team.objects.create(department=department, name=name, leader=leader)
    audit_record(actor=actor, action="accounts.team.created", subject=team)
    return team


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    role: str,
    department: Department | None = None,
    team: Team | None = None,
    display_name: str = "",
    email: str = "",
    mobile: str = "",
    validate: bool = True,
) -> User:
    if actor is not None and not actor.has_perm("accounts.manage_users"):
        raise PermissionDeniedError()
    if role not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    if User.objects.filter(username=username).exists():
        raise DomainError(_("This username is taken."), field="username")
    if team is not None and department is not None and team.department_id != department.pk:
        raise DomainError(_("The team belongs to another department."), field="team")
    user = User(
        username=username,
        role=role,
        department=department,
        team=team,
        display_name=display_name,
        email=email,
        mobile=mobile,
        is_superuser=role == Role.ADMIN,
        is_staff=role == Role.ADMIN,
    )
    if validate:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    audit_record(
        actor=actor,
        action="accounts.user.created",
        subject=user,
        changes={"role": role, "department": str(department or ""), "team": str(team or "")},
    )
    return user


USER_EDITABLE_FIELDS = ("display_name", "email", "mobile", "role", "department", "team", "is_active")


@transaction.atomic
def user_update(*, actor: Any, user: User, version: int, **fields: Any) -> User:
    """Change a user's profile or role; refuses a stale `version`."""
    if actor is not None and not actor.has_perm("accounts.manage_users"):
        raise PermissionDeniedError()
    unknown = set(fields) - set(USER_EDITABLE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.version != version:
        raise StaleVersionError()
    if "role" in fields and fields["role"] not in Role.values:
        raise DomainError(_("Unknown role."), field="role")
    changes = {}
    for name, value in fields.items():
        old = getattr(locked, name)
        if old != value:
            changes[name] = [str(old or ""), str(value or "")]
            setattr(locked, name, value)
    if not changes:
        return locked
    locked.is_superuser = locked.is_staff = locked.role == Role.ADMIN
    locked.version += 1
    locked.save()
    audit_record(actor=actor, action="accounts.user.changed", subject=locked, changes=changes)
    return locked


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unsupported language."), field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    audit_record(actor=user, action="accounts.user.language_set", subject=user, changes={"language": language})


@transaction.atomic
def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not correct."), field="old_password")
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="accounts.user.password_changed", subject=user)


@transaction.atomic
def login_failed(*, username: str) -> None:
    """Count a failed login; the account locks for a while after too many in a row."""
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        return
    user.failed_login_count += 1
    fields = ["failed_login_count"]
    if user.failed_login_count >= settings.LOGIN_FAILURE_LIMIT:
        user.locked_until = timezone.now() + dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_login_count = 0
        fields.append("locked_until")
        audit_record(
            actor=None,
            action="accounts.user.locked",
            subject=user,
            changes={"until": user.locked_until.isoformat()},
        )
    user.save(update_fields=fields)


@transaction.atomic
def login_succeeded(*, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=user, action="accounts.user.logged_in", subject=user)


@transaction.atomic
def user_unlock(*, actor: Any, user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
    audit_record(actor=actor, action="accounts.user.unlocked", subject=user)


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; the raw token is returned once and never stored."""
    if not name.strip():
        raise DomainError(_("Give the token a name."), field="name")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=raw[:12], key_hash=_token_digest(raw))
    audit_record(actor=actor, action="accounts.token.issued", subject=user, changes={"token": str(token)})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.token.revoked", subject=token.user, changes={"token": str(token)})


def api_token_authenticate(*, raw: str) -> User | None:
    """The active user owning `raw`, recording when the token was last used."""
    token = (
        ApiToken.objects.select_related("user", "user__department", "user__team")
        .filter(key_hash=_token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
