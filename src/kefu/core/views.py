from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.core.calendar import add_business_time, business_time_between, statutory_year_known
from kefu.core.models import CalendarDay
from kefu.core.selectors import calendar_default, calendar_missing_years, calendar_spec
from kefu.core.services import DomainError, calendar_day_remove, calendar_day_set, calendar_set_weekly_hours
from kefu.core.ui import render_page


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


def _calendar_context(request: HttpRequest) -> dict[str, object]:
    calendar = calendar_default()
    spec = calendar_spec(calendar)
    today = timezone.localdate()
    upcoming = [today + dt.timedelta(days=i) for i in range(0, 42)]
    now = timezone.now()
    return {
        "calendar": calendar,
        "days": CalendarDay.objects.filter(calendar_id=calendar.pk).order_by("-date")[:100] if calendar.pk else [],
        "kinds": CalendarDay.Kind.choices,
        "missing_years": calendar_missing_years(),
        "known_this_year": statutory_year_known(today.year),
        "upcoming": [(d, spec.is_working_day(d)) for d in upcoming],
        "weekly": [
            (i + 1, ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in periods))
            for i, periods in enumerate(spec.weekly)
        ],
        "example_due": add_business_time(now, dt.timedelta(hours=3), spec),
        "example_worked_this_week": business_time_between(
            timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=today.weekday()), dt.time.min)),
            now,
            spec,
        ),
    }


@login_required
@permission_required("core.change_workcalendar", raise_exception=True)
def calendar_page(request: HttpRequest) -> HttpResponse:
    return render_page(request, "core/calendar.html", _calendar_context(request))


@login_required
@permission_required("core.change_workcalendar", raise_exception=True)
@require_POST
def calendar_day_save(request: HttpRequest) -> HttpResponse:
    calendar = calendar_default()
    if calendar.pk is None:
        calendar.save()
    try:
        date = dt.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        messages.error(request, _("Enter the date as YYYY-MM-DD."))
        return redirect("core:calendar")
    try:
        if request.POST.get("remove"):
            calendar_day_remove(actor=request.user, calendar=calendar, date=date)
        else:
            calendar_day_set(
                actor=request.user,
                calendar=calendar,
                date=date,
                kind=request.POST.get("kind", ""),
                note=request.POST.get("note", "")[:120],
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Calendar saved."))
    return redirect("core:calendar")


def _parse_week(post: object) -> dict[str, list[list[str]]]:
    """{"1": [["09:00", "12:00"], ...]} from fields hours_1..hours_7 written as "09:00-12:00, 13:30-18:00"."""
    week: dict[str, list[list[str]]] = {}
    for day in range(1, 8):
        text = str(post.get(f"hours_{day}", "")).replace("，", ",")  # type: ignore[attr-defined]
        periods = [p.strip() for p in text.split(",") if p.strip()]
        if periods:
            week[str(day)] = [[part.strip() for part in p.split("-", 1)] for p in periods]
    return week


@login_required
@permission_required("core.change_workcalendar", raise_exception=True)
@require_POST
def calendar_hours_save(request: HttpRequest) -> HttpResponse:
    calendar = calendar_default()
    if calendar.pk is None:
        calendar.save()
    try:
        calendar_set_weekly_hours(actor=request.user, calendar=calendar, weekly_hours=_parse_week(request.POST))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Working hours saved."))
    return redirect("core:calendar")
