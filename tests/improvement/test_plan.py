"""客户服务改进表: the value before measured from the analysed period, sign-off in the seed's order (CS manager,
related department managers, general manager) enforced per role, rejection back to draft, progress, and
the value after measured from the period after the improvement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError
from kefu.improvement import services
from kefu.improvement.models import PlanItem
from kefu.standards.models import Indicator

from .conftest import APRIL

pytestmark = pytest.mark.django_db


def test_the_value_before_is_measured_from_the_analysed_period(plan):
    item = plan.items.get()
    assert item.value_before == Decimal("100.00")  # 民营, March: 2 complaints / 2 orders
    assert item.value_after is None


def test_an_indicator_outside_the_standard_in_force_is_refused(people, plan):
    with pytest.raises(DomainError) as refused:
        services.plan_item_save(
            actor=people["cs_manager"],
            plan=plan,
            version=None,
            indicator=Indicator.objects.get(code="inventory_intact"),
            target="99",
            actions="盘点",
            owner=people["supervisor"],
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 4, 30),
        )
    assert refused.value.field == "indicator"


def test_sign_off_goes_in_the_seed_order(people, plan, transport_manager, client_for):
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=plan.version)
    plan.refresh_from_db()
    assert plan.status == "cs_approval"
    gm = client_for("general_manager")
    approve_url = f"/improvement/plans/{plan.pk}/approve/"
    assert approve_url in client_for("cs_manager").get(f"/improvement/plans/{plan.pk}/").content.decode()
    assert approve_url not in gm.get(f"/improvement/plans/{plan.pk}/").content.decode()  # not their turn yet
    early = gm.post(f"/improvement/plans/{plan.pk}/approve/", {"version": plan.version})
    assert early.status_code == 409
    assert "须先由客户服务部经理签字" in early.content.decode()  # says whose turn it is
    with pytest.raises(DomainError) as too_early:
        services.plan_approve(actor=transport_manager, plan=plan, version=None)
    assert too_early.value.code == "conflict"
    with pytest.raises(PermissionDeniedError):
        services.plan_approve(actor=people["agent"], plan=plan, version=None)
    with pytest.raises(PermissionDeniedError):
        services.plan_approve(actor=people["admin"], plan=plan, version=None)
    assert client_for("agent").post(f"/improvement/plans/{plan.pk}/approve/", {}).status_code == 403

    plan = services.plan_approve(actor=people["cs_manager"], plan=plan, version=plan.version)
    assert plan.status == "dept_approval"
    with pytest.raises(DomainError) as signed:
        services.plan_approve(actor=people["cs_manager"], plan=plan, version=None)
    assert signed.value.code == "conflict"
    assert gm.post(f"/improvement/plans/{plan.pk}/approve/", {"version": plan.version}).status_code == 409
    with pytest.raises(PermissionDeniedError):  # a department manager, but of 销售部, not a related department
        services.plan_approve(actor=people["dept_manager"], plan=plan, version=None)
    with pytest.raises(StaleVersionError):
        services.plan_approve(actor=transport_manager, plan=plan, version=plan.version - 1)

    plan = services.plan_approve(actor=transport_manager, plan=plan, version=plan.version)
    assert plan.status == "gm_approval"
    assert gm.post(f"/improvement/plans/{plan.pk}/approve/", {"version": plan.version}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert [(a.step, a.by.username) for a in plan.approvals.all()] == [
        ("cs_manager", "cs_manager"),
        ("dept_manager", "transport_manager"),
        ("general_manager", "general_manager"),
    ]


def test_every_related_department_signs_before_the_general_manager(people, plan, departments, transport_manager):
    from tests.conftest import make_user

    warehouse_manager = make_user("warehouse_manager", "dept_manager", departments["warehouse"])
    services.plan_update(
        actor=people["cs_manager"],
        plan=plan,
        version=None,
        departments=[departments["transport"], departments["warehouse"]],
    )
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    services.plan_approve(actor=people["cs_manager"], plan=plan, version=None)
    plan = services.plan_approve(actor=transport_manager, plan=plan, version=None)
    assert plan.status == "dept_approval"
    with pytest.raises(DomainError):
        services.plan_approve(actor=people["general_manager"], plan=plan, version=None)
    plan = services.plan_approve(actor=warehouse_manager, plan=plan, version=None)
    assert plan.status == "gm_approval"


def test_rejection_sends_it_back_to_draft_with_its_reason(people, plan, transport_manager, client_for):
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    services.plan_approve(actor=people["cs_manager"], plan=plan, version=None)
    url = f"/improvement/plans/{plan.pk}/reject/"
    plan.refresh_from_db()
    assert client_for("cs_manager").post(url, {"reason": "", "version": plan.version}).status_code == 400
    with pytest.raises(DomainError):  # not their turn
        services.plan_reject(actor=people["general_manager"], plan=plan, version=None, reason="不同意")
    plan = services.plan_reject(actor=transport_manager, plan=plan, version=None, reason="完成日期太紧，请延至5月")
    assert plan.status == "draft" and plan.rejection_reason == "完成日期太紧，请延至5月"
    body = client_for("cs_manager").get(f"/improvement/plans/{plan.pk}/").content.decode()
    assert "完成日期太紧" in body
    # the next submission starts the sign-off again from the customer-service manager
    plan = services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    assert plan.status == "cs_approval" and plan.round == 2
    with pytest.raises(DomainError):
        services.plan_approve(actor=transport_manager, plan=plan, version=None)


def _approved(people, plan, transport_manager):
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    for signer in (people["cs_manager"], transport_manager, people["general_manager"]):
        plan = services.plan_approve(actor=signer, plan=plan, version=None)
    return plan


def test_progress_then_the_value_after_is_measured(people, plan, transport_manager, client_for):
    item = plan.items.get()
    with pytest.raises(DomainError):  # not approved yet
        services.progress_record(
            actor=people["supervisor"], item=item, on=dt.date(2026, 4, 10), status="in_progress", percent=10
        )
    plan = _approved(people, plan, transport_manager)
    # the owner (a supervisor) records progress on their own item
    services.progress_record(
        actor=people["supervisor"],
        item=item,
        on=dt.date(2026, 4, 10),
        status="in_progress",
        percent=40,
        note="培训完成",
    )
    answer = client_for("dept_manager").post(
        f"/improvement/plans/{plan.pk}/items/{item.pk}/progress/",
        {"on": "2026-04-30", "status": "in_progress", "percent": "100", "note": "复核上线"},
    )
    assert answer.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.percent) == ("done", 100)
    assert item.progress.count() == 2
    bad = client_for("dept_manager").post(
        f"/improvement/plans/{plan.pk}/items/{item.pk}/progress/", {"on": "2026-04-30", "status": "x", "percent": "101"}
    )
    assert bad.status_code == 400
    assert (
        client_for("agent")
        .post(
            f"/improvement/plans/{plan.pk}/items/{item.pk}/progress/",
            {"on": "2026-04-30", "status": "done", "percent": "100"},
        )
        .status_code
        == 403
    )

    plan.refresh_from_db()
    with pytest.raises(DomainError) as overlapping:
        services.plan_complete(
            actor=people["cs_manager"], plan=plan, version=None, after_start=dt.date(2026, 3, 15), after_end=APRIL[1]
        )
    assert overlapping.value.field == "after_start"
    plan = services.plan_complete(
        actor=people["cs_manager"], plan=plan, version=plan.version, after_start=APRIL[0], after_end=APRIL[1]
    )
    item = PlanItem.objects.get(pk=item.pk)
    assert plan.status == "completed"
    assert item.value_before == Decimal("100.00") and item.value_after == Decimal("0.00")  # April: 0 / 1 order


def test_the_value_after_of_an_empty_period_is_no_data(people, plan, transport_manager):
    plan = _approved(people, plan, transport_manager)
    plan = services.plan_complete(
        actor=people["cs_manager"],
        plan=plan,
        version=None,
        after_start=dt.date(2026, 6, 1),
        after_end=dt.date(2026, 6, 30),
    )
    assert plan.items.get().value_after is None


def test_a_stale_or_bad_item_edit_is_refused(client_for, plan, people):
    rate = Indicator.objects.get(code="complaint_rate")
    url = f"/improvement/plans/{plan.pk}/"
    item = plan.items.get()
    data = {
        "form": "item",
        "item": item.pk,
        "indicator": rate.pk,
        "target": "25",
        "actions": "加强培训",
        "owner": people["supervisor"].pk,
        "starts_on": "2026-04-01",
        "ends_on": "2026-05-31",
        "version": plan.version,
    }
    manager = client_for("cs_manager")
    assert manager.post(url, data).status_code == 302
    assert manager.post(url, {**data, "target": "20"}).status_code == 409  # the version it saw is gone
    plan.refresh_from_db()
    assert manager.post(url, {**data, "ends_on": "2026-03-01", "version": plan.version}).status_code == 400
    assert manager.post(url, {**data, "target": "-1", "version": plan.version}).status_code == 400
    assert PlanItem.objects.get(pk=item.pk).target == Decimal("25")
    assert client_for("agent").post(url, data).status_code == 403
    assert manager.post(f"/improvement/plans/{plan.pk}/submit/", {"version": plan.version - 1}).status_code == 409


def test_each_signer_is_told_when_it_is_their_turn(people, plan, transport_manager):
    from kefu.notify.models import StaffNotification

    def told(user):
        return list(StaffNotification.objects.filter(recipient=user).values_list("link", flat=True))

    link = f"/improvement/plans/{plan.pk}/"
    services.plan_submit(actor=people["cs_manager"], plan=plan, version=None)
    assert told(people["cs_manager"]) == [link] and told(transport_manager) == []
    services.plan_approve(actor=people["cs_manager"], plan=plan, version=None)
    assert told(transport_manager) == [link]
    assert told(people["dept_manager"]) == [] and told(people["general_manager"]) == []  # 销售部 is not related
    services.plan_reject(actor=transport_manager, plan=plan, version=None, reason="请补充措施")
    subjects = StaffNotification.objects.filter(recipient=people["cs_manager"]).values_list("subject", flat=True)
    assert len(subjects) == 2 and any(plan.number in s for s in subjects)
