"""Every score rule of the checklist and the evaluation form, against hand-computed figures."""

from __future__ import annotations

from decimal import Decimal

from kefu.audits.scoring import (
    audit_tallies,
    compare_sections,
    composite,
    level_from_kpi,
    level_from_satisfaction,
    total,
)


def test_section_and_overall_scores_count_yes_1_partly_half_no_0_and_leave_na_out():
    sections, overall = audit_tallies(
        [
            ("信用", "yes"),
            ("信用", "partly"),
            ("信用", "no"),
            ("信用", "na"),  # left out: 1.5 / 3
            ("仓储", "yes"),
            ("仓储", "yes"),  # 2 / 2
        ]
    )
    credit, storage = sections
    assert (credit.title, credit.score) == ("信用", Decimal("50.0"))
    assert (credit.yes, credit.partly, credit.no, credit.not_applicable) == (1, 1, 1, 1)
    assert storage.score == Decimal("100.0")
    # overall over every scored question, not the mean of the sections: 3.5 / 5 = 70 (the mean would be 75)
    assert overall.score == Decimal("70.0")


def test_a_section_with_nothing_scored_has_no_score_and_no_division_by_zero():
    sections, overall = audit_tallies([("仓储", "na"), ("仓储", ""), ("配送", "na")])
    assert [s.score for s in sections] == [None, None]
    assert sections[0].unanswered == 1 and sections[0].not_applicable == 1
    assert overall.score is None
    assert audit_tallies([]) == ([], overall.__class__(""))


def test_scores_are_rounded_to_one_place():
    (section,), _overall = audit_tallies([("x", "yes"), ("x", "no"), ("x", "no")])
    assert section.score == Decimal("33.3")


def test_sections_compared_by_title_with_the_change():
    before, _ = audit_tallies([("信用", "no"), ("信用", "yes"), ("仓储", "yes"), ("旧项目", "yes")])
    after, _ = audit_tallies([("信用", "yes"), ("信用", "yes"), ("仓储", "partly"), ("新项目", "na")])
    rows = {r.title: r for r in compare_sections(before, after)}
    assert (rows["信用"].before, rows["信用"].after, rows["信用"].change) == (Decimal(50), Decimal(100), Decimal(50))
    assert rows["仓储"].change == Decimal("-50.0")
    assert rows["新项目"].before is None and rows["新项目"].change is None  # no data on one side
    assert rows["旧项目"].after is None and rows["旧项目"].change is None
    assert [r.title for r in compare_sections(before, after)] == ["信用", "仓储", "新项目", "旧项目"]


def test_item_composite_is_the_mean_of_the_two_scores_or_the_one_given():
    assert composite(10, 5) == Decimal("7.5")
    assert composite(10, 0) == Decimal(5)
    assert composite(None, 5) == Decimal(5)
    assert composite(0, None) == Decimal(0)
    assert composite(None, None) is None


def test_total_is_the_weighted_mean_of_the_composites_out_of_10():
    # (2 × 7.5 + 1 × 0 + 3 × 10) / 6 = 45 / 6 = 7.5; the unscored item is left out with its weight
    items = [(Decimal(2), Decimal("7.5")), (Decimal(1), Decimal(0)), (Decimal(3), Decimal(10)), (Decimal(5), None)]
    assert total(items) == Decimal("7.5")
    assert total([(Decimal(1), Decimal(10)), (Decimal(2), Decimal(5))]) == Decimal("6.7")  # 20 / 3
    assert total([]) is None
    assert total([(Decimal(3), None)]) is None


def test_kpi_level_attained_good_near_fair_missed_poor():
    # higher is better, target 95: within 5 % of the target (95 × 0.05 = 4.75) is near
    assert level_from_kpi(Decimal(96), Decimal(95), "higher") == 10
    assert level_from_kpi(Decimal(95), Decimal(95), "higher") == 10
    assert level_from_kpi(Decimal("90.25"), Decimal(95), "higher") == 5
    assert level_from_kpi(Decimal("90.24"), Decimal(95), "higher") == 0
    # lower is better, target 24 h: up to 25.2 h is near
    assert level_from_kpi(Decimal(20), Decimal(24), "lower") == 10
    assert level_from_kpi(Decimal("25.2"), Decimal(24), "lower") == 5
    assert level_from_kpi(Decimal("25.3"), Decimal(24), "lower") == 0
    assert level_from_kpi(None, Decimal(24), "lower") is None
    assert level_from_kpi(Decimal(1), None, "lower") is None


def test_satisfaction_level_against_the_target_index_and_the_low_score_line():
    assert level_from_satisfaction(Decimal(85), Decimal(85), Decimal(60)) == 10
    assert level_from_satisfaction(Decimal("84.9"), Decimal(85), Decimal(60)) == 5
    assert level_from_satisfaction(Decimal(60), Decimal(85), Decimal(60)) == 5
    assert level_from_satisfaction(Decimal("59.9"), Decimal(85), Decimal(60)) == 0
    assert level_from_satisfaction(None, Decimal(85), Decimal(60)) is None
    assert level_from_satisfaction(Decimal(99), None, Decimal(60)) == 5  # no target: never good
