"""客户服务标准更新: a completed plan drafts the next version of the 标准单 with its new targets, which goes through
the standards' own approval and comes into force on its date; the plan records the version it proposed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kefu.core.services import DomainError
from kefu.improvement import selectors, services
from kefu.improvement.models import Cycle
from kefu.standards import selectors as standards
from kefu.standards import services as standard_services
from kefu.standards.models import ItemTarget, Standard

from .conftest import APRIL

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed(people, plan, transport_manager):
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    for signer in (people["cs_manager"], transport_manager, people["general_manager"]):
        plan = services.plan_approve(actor=signer, plan=plan, version=None)
    return services.plan_complete(
        actor=people["cs_manager"], plan=plan, version=None, after_start=APRIL[0], after_end=APRIL[1]
    )


def test_only_a_completed_plan_proposes_a_version(people, plan):
    with pytest.raises(DomainError):
        services.plan_propose_standard(
            actor=people["cs_manager"],
            plan=plan,
            version=None,
            targets={plan.items.get().pk: "20"},
            effective_from=timezone.localdate() + dt.timedelta(days=1),
        )


def test_the_new_targets_go_into_a_draft_that_goes_through_approval(people, completed, client_for, march):
    item = completed.items.get()
    effective = timezone.localdate() + dt.timedelta(days=1)
    answer = client_for("cs_manager").post(
        f"/improvement/plans/{completed.pk}/propose/",
        {f"target_{item.pk}": "20", "effective_from": effective.isoformat(), "version": completed.version},
    )
    draft = Standard.objects.get(status="draft")
    assert answer.status_code == 302 and answer.url == f"/standards/versions/{draft.pk}/"
    completed.refresh_from_db()
    assert completed.proposed_standard == draft
    assert draft.version_no == march["standard"].version_no + 1 and draft.effective_from == effective
    targets = dict(
        ItemTarget.objects.filter(item__standard=draft, item__indicator__code="complaint_rate").values_list(
            "customer_type", "target"
        )
    )
    # the cycle analysed 民营: its target moves, the others are copied from the version in force
    assert targets == {"foreign": Decimal("30"), "private": Decimal("20"), "state": Decimal("30")}
    with pytest.raises(DomainError):  # once only
        services.plan_propose_standard(
            actor=people["cs_manager"], plan=completed, version=None, targets={item.pk: "15"}, effective_from=effective
        )
    steps = {s.number: s for s in selectors.cycle_steps(user=people["cs_manager"], cycle=completed.cycle)}
    assert steps[7].state == "current" and draft.number in steps[7].summary

    standard_services.standard_approve(actor=people["general_manager"], standard=draft, version=None)
    assert standards.standard_in_force(timezone.localdate()) == march["standard"]
    assert standards.standard_in_force(effective) == draft
    cycle = Cycle.objects.get(pk=completed.cycle_id)
    steps = {s.number: s for s in selectors.cycle_steps(user=people["cs_manager"], cycle=cycle)}
    assert steps[7].state == "done"


def test_bad_targets_or_dates_are_refused(people, completed, client_for):
    item = completed.items.get()
    url = f"/improvement/plans/{completed.pk}/propose/"
    manager = client_for("cs_manager")
    today = timezone.localdate().isoformat()
    assert (
        manager.post(
            url, {f"target_{item.pk}": "20", "effective_from": today, "version": completed.version}
        ).status_code
        == 400
    )
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert (
        manager.post(
            url, {f"target_{item.pk}": "-5", "effective_from": tomorrow, "version": completed.version}
        ).status_code
        == 400
    )
    assert (
        manager.post(
            url, {f"target_{item.pk}": "", "effective_from": tomorrow, "version": completed.version}
        ).status_code
        == 400
    )
    assert not Standard.objects.filter(status="draft").exists()
    assert (
        client_for("dept_manager").post(url, {f"target_{item.pk}": "20", "effective_from": tomorrow}).status_code == 403
    )
