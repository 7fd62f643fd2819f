"""Attainment and weighted scores: pure functions, tested on their own."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from kefu.standards.choices import Direction


def attained(value: Decimal | None, target: Decimal | None, direction: str) -> bool | None:
    """Whether `value` meets `target`: at least it when higher is better, at most it when lower is. None
    when either is missing (no data is neither attained nor missed)."""
    if value is None or target is None:
        return None
    return value <= target if direction == Direction.LOWER else value >= target


def weighted_score(results: Iterable[tuple[Decimal, bool | None]]) -> Decimal | None:
    """Out of 100: the weight of the attained items over the weight of the items that could be measured."""
    measured = [(weight, ok) for weight, ok in results if ok is not None]
    total = sum((weight for weight, _ in measured), Decimal(0))
    if not total:
        return None
    won = sum((weight for weight, ok in measured if ok), Decimal(0))
    return (Decimal(100) * won / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
