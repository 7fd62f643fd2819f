"""Helpers every domain's views share: page-or-fragment rendering, domain errors, pagination."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import cached_property

from kefu.core.selectors import COUNT_CAP, capped_count
from kefu.core.services import DomainError

PAGE_SIZE = 25


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only `fragment` (a {% partialdef %}) for an HTMX request."""
    htmx = getattr(request, "htmx", None)
    if fragment and htmx and not htmx.boosted:
        template = f"{template}#{fragment}"
    return render(request, template, context, status=status)


class CappedPaginator(Paginator[Any]):
    """A paginator that counts at most COUNT_CAP + 1 rows: a broad list says "more than 1000"
    instead of counting every match on each page view; its pages go as far as the cap, and the
    list asks for narrower filters (the API and the Excel export are not capped)."""

    cap = COUNT_CAP

    object_list: QuerySet[Any]

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, counted: QuerySet[Any] | None = None) -> None:
        super().__init__(object_list, per_page)
        self.counted = object_list if counted is None else counted

    @cached_property
    def count(self) -> int:
        return capped_count(self.counted)

    @property
    def count_capped(self) -> bool:
        return self.count > self.cap


def paginate(
    request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = PAGE_SIZE, counted: QuerySet[Any] | None = None
) -> Page[Any]:
    """A page of `queryset`; `counted`, when given, holds the same rows in a form cheaper to count."""
    paginator = CappedPaginator(queryset, per_page, counted=counted)
    return paginator.get_page(request.GET.get("page"))


def paginate_then_join(
    request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = PAGE_SIZE, counted: QuerySet[Any] | None = None
) -> Page[Any]:
    """Choose the page's rows on the bare table, then load just those rows with their related
    records: when a search matches thousands of rows the database joins 25, not all of them."""
    page = paginate(request, queryset.values_list("pk", flat=True), per_page=per_page, counted=counted)
    ids = list(page.object_list)
    rows = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return Page([rows[pk] for pk in ids if pk in rows], page.number, page.paginator)


def refusal_status(exc: DomainError) -> int:
    """The HTTP status of a refused business action: 409 for a stale edit, 403 for a forbidden one."""
    return {"conflict": 409, "forbidden": 403}.get(exc.code, 400)


def refuse(request: HttpRequest, exc: DomainError, form: Any = None) -> int:
    """Show a refusal on the form field it concerns (else as a page message); returns the status to answer."""
    if form is not None and exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    else:
        messages.error(request, exc.message)
    return refusal_status(exc)


def posted_version(request: HttpRequest) -> int | None:
    """The record version the form was loaded with (optimistic locking); None when absent or malformed."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def stored_file_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """An uploaded file, for a view that has checked who may see it (uploads never get a public URL).
    Photos and PDFs open in the browser, the rest downloads; nothing in it can run in the page."""
    shown_inline = content_type.startswith("image/") or content_type == "application/pdf"
    response = FileResponse(
        file.open("rb"), as_attachment=not shown_inline, filename=filename, content_type=content_type
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR")
