"""Categories and time limits are records the customer-service manager edits."""

from __future__ import annotations

import pytest

from kefu.core.services import DomainError, PermissionDeniedError
from kefu.tickets.models import Category, SlaPolicy, SlaTarget
from kefu.tickets.services import category_save, sla_target_save


def test_manager_adds_a_category_and_a_time_limit_through_the_page(people, client_for):
    client = client_for("cs_manager")
    response = client.post(
        "/cases/settings/", {"form": "category", "code": "returns", "name": "退换货", "position": 95, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Category.objects.get(code="returns").name == "退换货"
    policy = SlaPolicy.objects.get(name="硬性投诉")
    response = client.post(
        "/cases/settings/",
        {"form": "target", "policy": policy.pk, "metric": "first_response", "severity": "major", "minutes": 30},
    )
    assert response.status_code == 302
    assert SlaTarget.objects.get(policy=policy, metric="first_response", severity="major").minutes == 30


def test_an_agent_may_not_change_time_limits(people, client_for):
    assert client_for("agent").get("/cases/settings/").status_code == 403
    with pytest.raises(PermissionDeniedError):
        sla_target_save(
            actor=people["agent"],
            policy=SlaPolicy.objects.first(),
            data={"metric": "first_response", "severity": "", "minutes": 5},
        )


def test_a_zero_minute_limit_and_a_category_cycle_are_refused(people):
    with pytest.raises(DomainError) as zero:
        sla_target_save(
            actor=people["cs_manager"],
            policy=SlaPolicy.objects.first(),
            data={"metric": "first_response", "severity": "", "minutes": 0},
        )
    assert zero.value.field == "minutes"
    parent = Category.objects.get(code="damage")
    child = category_save(actor=people["cs_manager"], data={"code": "box", "name": "外箱破损", "parent": parent})
    with pytest.raises(DomainError) as cycle:
        category_save(actor=people["cs_manager"], category=parent, data={"parent": child})
    assert cycle.value.field == "parent"
