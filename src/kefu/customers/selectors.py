"""Reads of the customer archive: scoped lists, search, detail, timeline and figures."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kefu.core.crypto import lookup_hash, mask_id_number, mask_phone
from kefu.core.models import AuditEvent
from kefu.core.selectors import audit_for_subjects, keyword_condition, subject_key
from kefu.customers.choices import ChangeStatus
from kefu.customers.filters import CHOICE_FILTERS, SORTS, CustomerFilters
from kefu.customers.models import AccessLog, ChangeRequest, Contact, Customer, GradeRule
from kefu.customers.rules import customer_scope
from kefu.customers.services import SEARCH_KIND

_PHONE_LIKE = re.compile(r"^\+?[\d\s-]{7,20}$")
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")


def customers_visible(user: Any) -> QuerySet[Customer]:
    return Customer.objects.filter(customer_scope(user))


def _exact_identifier_match(query: str) -> list[int]:
    """Customers holding `query` as a contact's phone number or as their ID number (keyed-hash lookups)."""
    compact = query.strip()
    if _PHONE_LIKE.match(compact):
        digest = lookup_hash(compact)
        return list(
            Contact.objects.filter(Q(mobile_hash=digest) | Q(landline_hash=digest))
            .values_list("customer_id", flat=True)
            .distinct()[:500]
        )
    if _ID_LIKE.match(compact):
        return list(Customer.objects.filter(id_number_hash=lookup_hash(compact)).values_list("pk", flat=True)[:500])
    return []


def _keyword_filter(query: str) -> Q:
    """Customers holding `query` as an exact phone or ID number, else matching every word of it.

    The exact lookup goes first and alone: OR-ing it with the text match would stop
    PostgreSQL from using either index.
    """
    exact = _exact_identifier_match(query)
    if exact:
        return Q(pk__in=exact)
    return keyword_condition(SEARCH_KIND, query)


def customer_list(*, user: Any, filters: CustomerFilters) -> QuerySet[Customer]:
    """The customers `user` may see that match `filters`, sorted as asked."""
    queryset = customers_visible(user)
    for name in CHOICE_FILTERS:
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    for name in ("is_key", "is_active"):
        value = getattr(filters, name)
        if value is not None:
            queryset = queryset.filter(**{name: value})
    if filters.account_manager is not None:
        queryset = queryset.filter(account_manager_id=filters.account_manager)
    if filters.team is not None:
        queryset = queryset.filter(team_id=filters.team)
    if filters.q:
        queryset = queryset.filter(_keyword_filter(filters.q))
    return queryset.select_related("account_manager", "team").order_by(*SORTS[filters.sort])


def customer_get(*, user: Any, pk: int) -> Customer | None:
    return (
        customers_visible(user)
        .select_related("account_manager", "team", "team__department")
        .prefetch_related("contacts")
        .filter(pk=pk)
        .first()
    )


def customer_timeline(customer: Customer, *, limit: int = 200) -> list[AuditEvent]:
    """Everything that happened to the customer: edits, contacts, change requests, grades."""
    return list(audit_for_subjects([subject_key(customer)], limit=limit))


def customer_access_log(customer: Customer, *, limit: int = 50) -> QuerySet[AccessLog]:
    return customer.access_logs.select_related("user")[:limit]


def access_log_list() -> QuerySet[AccessLog]:
    return AccessLog.objects.select_related("user", "customer").order_by("-at", "-id")


def change_requests_pending(user: Any) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(status=ChangeStatus.PENDING, customer__in=customers_visible(user))
        .select_related("customer", "submitted_by")
        .order_by("submitted_at")
    )


def change_requests_for(user: Any, *, status: str | None = None) -> QuerySet[ChangeRequest]:
    queryset = ChangeRequest.objects.filter(customer__in=customers_visible(user)).select_related(
        "customer", "submitted_by", "reviewed_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-submitted_at", "-id")


def grade_rules() -> QuerySet[GradeRule]:
    return GradeRule.objects.order_by("position", "id")


def shown_phone(value: str, *, may_see: bool) -> str:
    return value if may_see else mask_phone(value)


def shown_id_number(value: str, *, may_see: bool) -> str:
    return value if may_see else mask_id_number(value)


def customer_overview(user: Any) -> dict[str, Any]:
    """Figures of the home page: the customers `user` may see by grade, region and channel, and new ones.

    Two scans of the visible customers, folded here, instead of one aggregate per chart:
    one grouped by the classification, one counting creations per month by date range
    (no per-row date function, which SQLite would run in Python).
    """
    visible = customers_visible(user).filter(is_active=True)
    # COUNT(*) and COUNT(created_at), not COUNT(id): PostgreSQL answers both scans from
    # `customer_overview_idx` alone.
    groups = visible.values("grade", "region", "channel", "customer_role", "is_key").annotate(n=Count("*")).order_by()
    total = key = 0
    by_grade: Counter[str] = Counter()
    by_region: Counter[str] = Counter()
    by_channel: Counter[tuple[str, str]] = Counter()
    for row in groups:
        n = row["n"]
        total += n
        key += n if row["is_key"] else 0
        by_grade[row["grade"]] += n
        by_region[row["region"]] += n
        by_channel[(row["channel"], row["customer_role"])] += n
    by_month = _created_per_month(visible, _last_month_starts(12))
    return {
        "total": total,
        "key": key,
        "new_this_month": by_month[-1]["n"],
        "by_grade": [{"grade": g, "n": by_grade[g]} for g in sorted(by_grade)],
        "by_region": [{"region": r, "n": n} for r, n in by_region.most_common(10)],
        "by_channel": [{"channel": c, "customer_role": r, "n": n} for (c, r), n in by_channel.most_common()],
        "by_month": by_month,
        "pending_changes": change_requests_pending(user).count(),
    }


def _created_per_month(visible: QuerySet[Customer], months: list[dt.date]) -> list[dict[str, Any]]:
    tz = timezone.get_current_timezone()
    bounds = [dt.datetime.combine(m, dt.time.min, tzinfo=tz) for m in months]
    ranges = [Q(created_at__gte=b, created_at__lt=e) for b, e in itertools.pairwise(bounds)]
    ranges.append(Q(created_at__gte=bounds[-1]))
    counts = visible.filter(created_at__gte=bounds[0]).aggregate(
        **{f"m{i}": Count("created_at", filter=condition) for i, condition in enumerate(ranges)}
    )
    return [{"month": m.strftime("%Y-%m"), "n": counts[f"m{i}"]} for i, m in enumerate(months)]


def _last_month_starts(count: int) -> list[dt.date]:
    """The first days of the last `count` months, oldest first, ending with this month."""
    today = timezone.localdate()
    starts = []
    year, month = today.year, today.month
    for _ in range(count):
        starts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]
