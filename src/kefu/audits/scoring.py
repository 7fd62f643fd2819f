"""The score rules of the checklist and the evaluation form: pure functions, tested on their own.

Checklist: yes 1, partly 0.5, no 0; n.a. (and, in a draft, unanswered) questions are left out. A section's
score is 100 x points / questions scored; the overall score is the same over every scored question of the
audit (so a section with more questions weighs more). Nothing scored gives no score ("no data").

Evaluation: the seed's levels 好 10, 一般 5, 差 0. An item's composite is the mean of its customer score and
its internal score (the one given when only one is); the total is the weighted mean of the composites
(weights of the items with a composite), out of 10.

Pre-fill: an indicator that attained its target is 好; one that missed it by at most 5% of the target is 一般
(near); one that missed it by more is 差. The satisfaction index (or a dimension's score) at or above the
survey's target index is 好, at or above its low-score line 一般, below it 差.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kefu.audits.choices import Level, Result
from kefu.standards.choices import Direction
from kefu.standards.scoring import attained

POINTS = {Result.YES: Decimal(1), Result.PARTLY: Decimal("0.5"), Result.NO: Decimal(0)}
NEAR = Decimal("0.05")
ONE_PLACE = Decimal("0.1")


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass
class Tally:
    """How a group of answers (a section, or the whole audit) came out."""

    title: str
    yes: int = 0
    partly: int = 0
    no: int = 0
    not_applicable: int = 0
    unanswered: int = 0
    points: Decimal = Decimal(0)

    @property
    def scored(self) -> int:
        return self.yes + self.partly + self.no

    @property
    def score(self) -> Decimal | None:
        """Out of 100; None when no question was scored."""
        return _round(Decimal(100) * self.points / self.scored) if self.scored else None

    def add(self, result: str) -> None:
        if result == Result.YES:
            self.yes += 1
        elif result == Result.PARTLY:
            self.partly += 1
        elif result == Result.NO:
            self.no += 1
        elif result == Result.NOT_APPLICABLE:
            self.not_applicable += 1
        else:
            self.unanswered += 1
        self.points += POINTS.get(result, Decimal(0))


def audit_tallies(answers: Iterable[tuple[str, str]]) -> tuple[list[Tally], Tally]:
    """(section title, result) pairs in checklist order -> the tally of each section, and the overall one."""
    sections: dict[str, Tally] = {}
    overall = Tally("")
    for title, result in answers:
        sections.setdefault(title, Tally(title)).add(result)
        overall.add(result)
    return list(sections.values()), overall


@dataclass
class SectionChange:
    title: str
    before: Decimal | None
    after: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


def compare_sections(before: list[Tally], after: list[Tally]) -> list[SectionChange]:
    """Section by section (matched by title, in the later audit's order, then sections only the earlier had)."""
    earlier = {t.title: t.score for t in before}
    rows = [SectionChange(t.title, earlier.pop(t.title, None), t.score) for t in after]
    rows += [SectionChange(title, score, None) for title, score in earlier.items()]
    return rows


# --- evaluation --------------------------------------------------------------------------------------------


def composite(customer: int | None, internal: int | None) -> Decimal | None:
    given = [Decimal(s) for s in (customer, internal) if s is not None]
    return _round(sum(given, Decimal(0)) / len(given)) if given else None


def total(items: Iterable[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """(weight, composite) pairs -> the weighted mean of the composites, out of 10; None when none."""
    scored = [(w, c) for w, c in items if c is not None and w > 0]
    weights = sum((w for w, _c in scored), Decimal(0))
    if not weights:
        return None
    return _round(sum((w * c for w, c in scored), Decimal(0)) / weights)


def level_from_kpi(value: Decimal | None, target: Decimal | None, direction: str) -> int | None:
    """好 when attained, 一般 when missed by at most 5% of the target, 差 otherwise; None without data."""
    ok = attained(value, target, direction)
    if ok is None or value is None or target is None:
        return None
    if ok:
        return Level.GOOD
    margin = abs(target) * NEAR
    near = value >= target - margin if direction == Direction.HIGHER else value <= target + margin
    return Level.FAIR if near else Level.POOR


def level_from_satisfaction(score: Decimal | None, target: Decimal | None, low: Decimal) -> int | None:
    """好 at or above the target index, 一般 at or above the low-score line, 差 below; None without data."""
    if score is None:
        return None
    if target is not None and score >= target:
        return Level.GOOD
    return Level.FAIR if score >= low else Level.POOR
