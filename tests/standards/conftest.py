"""Builders for the standards tests: an approved standard over the seeded indicators, and cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from kefu.standards import services
from kefu.standards.models import Indicator, Standard
from kefu.tickets.models import Category
from kefu.tickets.services import case_receive


def indicator(code: str) -> Indicator:
    return Indicator.objects.get(code=code)


def add_item(standard: Standard, actor: Any, code: str, weight: str, targets: dict[str, str]) -> Standard:
    services.item_save(
        actor=actor,
        standard=standard,
        version=None,
        indicator=indicator(code),
        weight=Decimal(weight),
        targets=targets,
    )
    standard.refresh_from_db()
    return standard


@pytest.fixture
def draft(people) -> Standard:
    """A draft with the customer-service department's two complaint indicators, weights 60 + 40."""
    standard = services.standard_draft(actor=people["cs_manager"])
    add_item(standard, people["cs_manager"], "complaint_rate", "60", {"foreign": "1", "private": "2", "state": "1.5"})
    add_item(standard, people["cs_manager"], "complaint_handling_time", "40", {"foreign": "24", "private": "48"})
    standard.effective_from = dt.date(2026, 1, 1)
    standard.save(update_fields=["effective_from"])
    return standard


@pytest.fixture
def approved(draft, people) -> Standard:
    return services.standard_approve(actor=people["general_manager"], standard=draft, version=draft.version)


@pytest.fixture
def complain(people):
    """complain(customer, received_at, resolved_hours=None): a valid complaint, resolved after N hours."""

    def make(customer: Any, received_at: dt.datetime, resolved_hours: float | None = None) -> Any:
        case = case_receive(
            actor=people["agent"],
            data={
                "kind": "complaint",
                "nature": "hard",
                "category": Category.objects.get(code="damage"),
                "severity": "normal",
                "title": "货物破损投诉",
                "description": "纸箱被压坏。",
                "channel": "hotline",
                "customer": customer,
            },
            received_at=received_at,
        )
        if resolved_hours is not None:
            type(case).objects.filter(pk=case.pk).update(resolved_at=received_at + dt.timedelta(hours=resolved_hours))
        return case

    return make
