"""Attainment in both directions and the weighted score, as pure functions."""

from decimal import Decimal

from kefu.standards.scoring import attained, weighted_score


def test_higher_is_better_attains_at_or_above_the_target():
    assert attained(Decimal("95"), Decimal("95"), "higher") is True
    assert attained(Decimal("96"), Decimal("95"), "higher") is True
    assert attained(Decimal("94.99"), Decimal("95"), "higher") is False


def test_lower_is_better_attains_at_or_below_the_target():
    assert attained(Decimal("2"), Decimal("2"), "lower") is True
    assert attained(Decimal("1.5"), Decimal("2"), "lower") is True
    assert attained(Decimal("2.01"), Decimal("2"), "lower") is False


def test_no_value_or_no_target_is_neither_attained_nor_missed():
    assert attained(None, Decimal("2"), "lower") is None
    assert attained(Decimal("2"), None, "higher") is None


def test_weighted_score_counts_attained_weight_over_measured_weight():
    assert weighted_score([(Decimal(60), True), (Decimal(40), False)]) == Decimal("60.0")
    assert weighted_score([(Decimal(30), True), (Decimal(30), True), (Decimal(40), None)]) == Decimal("100.0")
    assert weighted_score([(Decimal(50), False), (Decimal(50), None)]) == Decimal("0.0")


def test_weighted_score_without_anything_measured_is_no_data():
    assert weighted_score([(Decimal(60), None)]) is None
    assert weighted_score([]) is None
