"""The staff inbox: what Kefu told you, newest first; open one to go to its record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kefu.core.ui import paginate, query_without_page, render_page
from kefu.notify import selectors, services


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") != "all"
    page = paginate(request, selectors.notifications_for(request.user, unread_only=unread_only))
    return render_page(
        request,
        "notify/inbox.html",
        {"page": page, "unread_only": unread_only, "query": query_without_page(request), "nav": "notifications"},
        fragment="results",
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (only to a path on this site)."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.notifications_mark_read(actor=request.user, ids=[notification.pk])
    safe = notification.link.startswith("/") and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None)
    return redirect(notification.link if safe else "notify:inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_read(actor=request.user)
    return redirect("notify:inbox")
