"""Page-number pagination with bounds a database can honour."""

from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from kefu.core.selectors import capped_count

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination, refusing a page or page size so large that its OFFSET
    overflows the database's integer (a 422 naming the parameter instead of a 500).

    `count` is exact up to 1000; 1001 means "more than 1000" (counting every match of a broad
    query on each page would cost more than the page itself)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def _items_count(self, queryset: QuerySet[Any]) -> int:
        return capped_count(getattr(queryset, COUNTED, queryset))


COUNTED = "kefu_counted"


def counted_by(queryset: QuerySet[Any], counted: QuerySet[Any]) -> QuerySet[Any]:
    """`queryset`, to be counted through `counted` (the same rows in a form cheaper to count, e.g.
    `case_queue_counted`'s): the paginator counts the object the endpoint returns, before slicing it."""
    setattr(queryset, COUNTED, counted)
    return queryset
