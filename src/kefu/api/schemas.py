"""Shapes of API payloads shared by the routers."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """Every 4xx answer: what went wrong and, when one input is at fault, which."""

    detail: str
    field: str | None = None
    code: str = "invalid"
