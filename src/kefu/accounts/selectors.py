from __future__ import annotations

from django.db.models import Count, QuerySet

from kefu.accounts.models import ApiToken, Department, User


def departments_with_counts() -> QuerySet[Department]:
    return Department.objects.select_related("manager").annotate(staff=Count("members")).order_by("code")


def staff_list(*, department: int | None = None, role: str | None = None, q: str = "") -> QuerySet[User]:
    queryset = User.objects.select_related("department", "team").filter(is_active=True)
    if department:
        queryset = queryset.filter(department_id=department)
    if role:
        queryset = queryset.filter(role=role)
    if q:
        queryset = queryset.filter(display_name__icontains=q) | queryset.filter(username__icontains=q)
    return queryset.order_by("department__code", "role", "username")


def tokens_of(user: User) -> QuerySet[ApiToken]:
    return user.api_tokens.order_by("-created_at")
