"""A/B/C grading: pure evaluation of the configured rules against a customer's inputs."""

from __future__ import annotations

from collections.abc import Iterable

from kefu.customers.choices import CREDIT_ORDER, Grade
from kefu.customers.models import Customer, GradeRule

GRADE_INPUTS = ("annual_amount", "cooperation_start", "credit_rating", "is_key")


def rule_matches(rule: GradeRule, customer: Customer) -> bool:
    if rule.key_customer and not customer.is_key:
        return False
    if rule.min_annual_amount is not None and customer.annual_amount < rule.min_annual_amount:
        return False
    if rule.min_cooperation_years is not None and (customer.cooperation_years or 0) < rule.min_cooperation_years:
        return False
    return not (
        rule.min_credit_rating and CREDIT_ORDER.get(customer.credit_rating, -1) < CREDIT_ORDER[rule.min_credit_rating]
    )


def compute_grade(customer: Customer, rules: Iterable[GradeRule]) -> str:
    """The grade of the first active rule (by position) that the customer meets; C when none does."""
    for rule in sorted((r for r in rules if r.is_active), key=lambda r: (r.position, r.pk or 0)):
        if rule_matches(rule, customer):
            return rule.grade
    return Grade.C


def effective_grade(customer: Customer) -> str:
    return customer.grade_override or customer.computed_grade
