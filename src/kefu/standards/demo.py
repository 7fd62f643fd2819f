"""Demo standards for `manage.py seed-demo-standards`: two approved versions of the 客户服务标准单 (last
year's, and this one with tighter targets since three months ago), each with the seeded indicators,
weights and targets per customer type. Through the real services; deterministic; once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import Role, User
from kefu.standards import services
from kefu.standards.models import Indicator, Standard

# indicator code: weight, (外企, 民营, 国有) targets of the first version
ITEMS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "transport_demand_fulfilment": ("25", ("98", "95", "96")),
    "timely_dispatch": ("20", ("97", "93", "95")),
    "on_time_delivery": ("20", ("96", "92", "94")),
    "intact_delivery": ("20", ("99.5", "99", "99")),
    "timely_feedback": ("15", ("95", "90", "92")),
    "inventory_intact": ("50", ("99.8", "99.5", "99.5")),
    "shipping_accuracy": ("50", ("99.9", "99.5", "99.7")),
    "complaint_rate": ("30", ("0.5", "1", "0.8")),
    "complaint_handling_time": ("30", ("24", "48", "36")),
    "satisfaction_index": ("25", ("85", "80", "82")),
    "follow_up_coverage": ("15", ("95", "90", "90")),
}
TYPES = ("foreign", "private", "state")
TIGHTER = Decimal("0.9")


def demo_standards_seeded() -> bool:
    return Standard.objects.exists()


def _target(code: str, value: str, tighten: bool) -> Decimal:
    target = Decimal(value)
    if not tighten:
        return target
    indicator = Indicator.objects.get(code=code)
    if indicator.direction == "lower":
        return (target * TIGHTER).quantize(Decimal("0.01"))
    return min(Decimal(100), target + Decimal("0.5")) if indicator.unit == "%" else target + 1


def _version(drafter: User, approver: User, effective: dt.date, *, tighten: bool) -> Standard:
    standard = services.standard_draft(actor=drafter)
    if not standard.items.exists():
        for code, (weight, targets) in ITEMS.items():
            indicator = Indicator.objects.filter(code=code).first()
            if indicator is None:
                continue
            services.item_save(
                actor=drafter,
                standard=standard,
                version=None,
                indicator=indicator,
                weight=Decimal(weight),
                targets={t: _target(code, v, tighten) for t, v in zip(TYPES, targets, strict=True)},
            )
    else:
        for item in standard.items.select_related("indicator"):
            weight, targets = ITEMS[item.indicator.code]
            services.item_save(
                actor=drafter,
                standard=standard,
                version=None,
                indicator=item.indicator,
                weight=item.weight,
                targets={t: _target(item.indicator.code, v, tighten) for t, v in zip(TYPES, targets, strict=True)},
                item=item,
            )
    note = "目标按上年执行情况收紧" if tighten else "首版客户服务标准"
    services.standard_update(
        actor=drafter, standard=standard, data={"effective_from": effective, "note": note}, version=None
    )
    return services.standard_approve(actor=approver, standard=standard, version=None)


@transaction.atomic
def seed_demo_standards() -> int:
    """Returns how many versions were made (0 when standards exist or the demo staff is missing)."""
    if demo_standards_seeded():
        return 0
    drafter = User.objects.filter(role=Role.CS_MANAGER, is_active=True).order_by("pk").first()
    approver = User.objects.filter(role=Role.GENERAL_MANAGER, is_active=True).order_by("pk").first()
    if drafter is None or approver is None:
        return 0
    today = timezone.localdate()
    first = dt.date(today.year - 1, 1, 1)
    month = today.replace(day=1)
    for _ in range(3):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    _version(drafter, approver, first, tighten=False)
    _version(drafter, approver, month, tighten=True)
    return 2
