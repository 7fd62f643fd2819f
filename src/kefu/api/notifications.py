"""The caller's in-app notifications: list them, mark them read."""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kefu.api.pagination import BoundedPageNumberPagination
from kefu.customers.filters import MAX_ID
from kefu.notify import selectors
from kefu.notify.services import notifications_mark_read

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    subject: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationFilters(Schema):
    unread: bool = Field(False, description="only the unread ones")


class MarkReadIn(Schema):
    ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(
        None, max_length=500, description="the notifications to mark; omit for all"
    )


class MarkedOut(Schema):
    marked: int
    unread: int


@router.get("", response=list[NotificationOut], summary="My notifications, newest first")
@paginate(BoundedPageNumberPagination, page_size=50)
def list_notifications(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    return selectors.notifications_for(request.user, unread_only=filters.unread)


@router.post("/read", response=MarkedOut, summary="Mark notifications as read")
def mark_read(request: HttpRequest, payload: MarkReadIn) -> Any:
    marked = notifications_mark_read(actor=request.user, ids=payload.ids)
    return {"marked": marked, "unread": selectors.unread_count(request.user)}
