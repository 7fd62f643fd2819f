"""How answers become scores and the satisfaction index. Pure functions, shared by responses and results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from kefu.surveys.choices import QuestionKind

ONE_DECIMAL = Decimal("0.1")


def score(kind: str, points: int, value: int | None) -> Decimal | None:
    """0-100 for a scored answer: a scale value runs from 1 (worst) to `points` (best), NPS from 0 to 10."""
    if value is None:
        return None
    if kind == QuestionKind.SCALE and points > 1:
        return (Decimal(value - 1) * 100 / Decimal(points - 1)).quantize(ONE_DECIMAL, ROUND_HALF_UP)
    if kind == QuestionKind.NPS:
        return Decimal(value * 10)
    return None


def weighted_index(scores: Mapping[int, Decimal | float | None], weights: Mapping[int, Decimal]) -> Decimal | None:
    """Σ weight × dimension score / Σ weight, over the dimensions that have a score."""
    total = Decimal(0)
    weight_sum = Decimal(0)
    for dimension, value in scores.items():
        weight = weights.get(dimension, Decimal(0))
        if value is None or weight <= 0:
            continue
        total += weight * Decimal(str(value))
        weight_sum += weight
    if weight_sum == 0:
        return None
    return (total / weight_sum).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def mean(pairs: Iterable[tuple[Decimal, int]]) -> Decimal | None:
    """The mean of scores given as (score, count) pairs."""
    total = Decimal(0)
    count = 0
    for value, n in pairs:
        total += value * n
        count += n
    return (total / count).quantize(ONE_DECIMAL, ROUND_HALF_UP) if count else None
