"""Page-number pagination with bounds a database can honour."""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class BoundedPageNumberPagination(PageNumberPagination):
    """ninja's page-number pagination, refusing a page or page size so large that its OFFSET
    overflows the database's integer (a 422 naming the parameter instead of a 500)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)
