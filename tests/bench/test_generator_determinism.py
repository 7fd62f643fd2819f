"""The same seed, scale and `now` give the same rows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from bench.data import Plan, generate
from kefu.tickets.models import Case

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


def _quiet(_message: str) -> None:
    pass


def _digest() -> list[tuple[object, ...]]:
    return list(Case.objects.order_by("pk").values_list("number", "title", "description", "status", "received_at"))


def test_same_seed_same_rows(db):
    runs = []
    for _ in range(2):
        with transaction.atomic():
            generate(scale="tiny", seed=7, now=NOW, log=_quiet)
            runs.append(_digest())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0]) == Plan.for_scale("tiny").cases
