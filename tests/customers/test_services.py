"""Business actions on the customer archive: grading, contacts, versions, change requests, access log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from kefu.core.models import AuditEvent
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError
from kefu.customers.models import AccessLog, ChangeRequest, Contact, Customer, GradeRule
from kefu.customers.selectors import customer_timeline
from kefu.customers.services import (
    CUSTOMER_FIELDS,
    change_request_approve,
    change_request_reject,
    change_request_submit,
    contact_add,
    contact_remove,
    contact_update,
    customer_override_grade,
    customer_update,
    customers_regrade,
    grade_rule_save,
)
from tests.customers.factories import bearer, make_customer


def years_ago(years: int, days: int = 10) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def actions_for(customer: Customer) -> list[str]:
    return list(
        AuditEvent.objects.filter(subject_type="customers.customer", subject_id=str(customer.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# ---------------------------------------------------------------- grading


@pytest.mark.parametrize(
    ("inputs", "grade"),
    [
        ({"is_key": True, "annual_amount": Decimal("0"), "credit_rating": "C"}, "A"),  # 重点客户
        ({"annual_amount": Decimal("500"), "credit_rating": "AA"}, "A"),  # ≥500 and credit ≥ AA
        ({"annual_amount": Decimal("800"), "credit_rating": "AAA"}, "A"),
        ({"annual_amount": Decimal("500"), "credit_rating": "A"}, "B"),  # credit too low for rule 20 → ≥100 → B
        ({"annual_amount": Decimal("200"), "credit_rating": "A", "cooperation_start": years_ago(3)}, "A"),
        ({"annual_amount": Decimal("200"), "credit_rating": "A", "cooperation_start": years_ago(2)}, "B"),
        ({"annual_amount": Decimal("100"), "credit_rating": "B"}, "B"),
        ({"annual_amount": Decimal("100"), "credit_rating": "C"}, "C"),  # credit below B
        ({"annual_amount": Decimal("10"), "credit_rating": "B", "cooperation_start": years_ago(2)}, "B"),
        ({"annual_amount": Decimal("99.99"), "credit_rating": "AAA"}, "C"),
        ({"annual_amount": Decimal("0"), "credit_rating": "A", "cooperation_start": years_ago(1)}, "C"),
    ],
)
def test_new_customer_is_graded_by_the_seeded_rules(db, inputs, grade):
    """customer_create applies the default rules of migration customers/0002; no match means C."""
    customer = make_customer(**inputs)
    assert (customer.computed_grade, customer.grade) == (grade, grade)
    assert Customer.objects.get(pk=customer.pk).grade == grade


def test_seeded_grade_rules_exist(db):
    """The five default rules are data, not code: records managers can edit them."""
    assert list(GradeRule.objects.order_by("position").values_list("position", "grade")) == [
        (10, "A"),
        (20, "A"),
        (30, "A"),
        (40, "B"),
        (50, "B"),
    ]


def test_changing_a_grade_input_regrades_the_customer(people, teams):
    """Raising the annual business and the credit rating lifts a C customer to A at once."""
    customer = make_customer(team=teams["cs_east"], annual_amount=Decimal("10"), credit_rating="B")
    assert customer.grade == "C"
    updated = customer_update(
        actor=people["agent"],
        customer=customer,
        version=customer.version,
        data={"annual_amount": Decimal("600"), "credit_rating": "AA"},
    )
    assert (updated.computed_grade, updated.grade) == ("A", "A")
    assert updated.version == customer.version + 1
    assert actions_for(customer)[-1] == "customers.customer.changed"


def test_manual_override_is_recorded_with_reason_and_can_be_cleared(people, teams):
    """The CS manager sets A by hand with a reason; it survives a regrade; clearing returns to the computed grade."""
    manager = people["cs_manager"]
    customer = make_customer(team=teams["cs_east"])
    assert customer.grade == "C"

    with pytest.raises(DomainError) as missing:
        customer_override_grade(actor=manager, customer=customer, grade="A", reason="  ")
    assert missing.value.field == "reason"

    overridden = customer_override_grade(actor=manager, customer=customer, grade="A", reason="集团战略客户")
    assert (overridden.grade, overridden.computed_grade) == ("A", "C")
    assert overridden.grade_override_reason == "集团战略客户"
    event = AuditEvent.objects.filter(action="customers.customer.grade_overridden").get()
    assert event.changes["reason"] == "集团战略客户"
    assert event.changes["grade"] == ["C", "A"]
    assert event.actor_id == manager.pk

    # an input change recomputes the computed grade but keeps the manual one
    after_edit = customer_update(
        actor=manager, customer=overridden, version=overridden.version, data={"annual_amount": Decimal("150")}
    )
    assert (after_edit.computed_grade, after_edit.grade) == ("B", "A")

    cleared = customer_override_grade(actor=manager, customer=after_edit, grade="", reason="")
    assert (cleared.grade, cleared.grade_override, cleared.grade_override_reason) == ("B", "", "")
    assert "customers.customer.grade_override_cleared" in actions_for(customer)


def test_override_refuses_an_unknown_grade_and_unauthorised_roles(people, teams):
    customer = make_customer(team=teams["cs_east"])
    with pytest.raises(DomainError) as bad:
        customer_override_grade(actor=people["cs_manager"], customer=customer, grade="D", reason="x")
    assert bad.value.field == "grade"
    with pytest.raises(PermissionDeniedError):
        customer_override_grade(actor=people["supervisor"], customer=customer, grade="A", reason="x")
    assert Customer.objects.get(pk=customer.pk).grade == "C"


def test_regrade_after_a_grade_rule_change(people, django_capture_on_commit_callbacks):
    """Lowering the B threshold (rule 40) re-grades existing customers once the change commits."""
    middling = make_customer(annual_amount=Decimal("60"), credit_rating="B")
    small = make_customer(annual_amount=Decimal("20"), credit_rating="B")
    assert middling.grade == small.grade == "C"

    rule = GradeRule.objects.get(position=40)
    with django_capture_on_commit_callbacks(execute=True):
        grade_rule_save(
            actor=people["cs_manager"],
            rule=rule,
            data={"min_annual_amount": Decimal("50")},
        )
    assert Customer.objects.get(pk=middling.pk).grade == "B"
    assert Customer.objects.get(pk=small.pk).grade == "C"
    assert "customers.customer.regraded" in actions_for(middling)
    assert "customers.customer.regraded" not in actions_for(small)


def test_customers_regrade_counts_changes_and_keeps_overrides(people):
    """customers_regrade reports how many grades moved; a manual grade stays in force."""
    plain = make_customer(annual_amount=Decimal("60"), credit_rating="B")
    held = make_customer(annual_amount=Decimal("60"), credit_rating="B")
    customer_override_grade(actor=people["cs_manager"], customer=held, grade="A", reason="总经理指定")
    GradeRule.objects.filter(position=40).update(min_annual_amount=Decimal("50"))

    assert customers_regrade() == 2
    assert Customer.objects.get(pk=plain.pk).grade == "B"
    held = Customer.objects.get(pk=held.pk)
    assert (held.computed_grade, held.grade) == ("B", "A")
    assert customers_regrade() == 0  # idempotent


def test_grade_rules_are_managed_only_by_managers(people):
    with pytest.raises(PermissionDeniedError):
        grade_rule_save(actor=people["supervisor"], data={"grade": "A", "name": "x", "position": 1})
    assert not GradeRule.objects.filter(name="x").exists()


# ---------------------------------------------------------------- contacts


def test_contacts_are_added_updated_and_removed_with_history(people, teams):
    agent = people["agent"]
    customer = make_customer(team=teams["cs_east"])
    contact = contact_add(
        actor=agent, customer=customer, data={"name": "李娜", "title": "采购经理", "mobile": "13900001111"}
    )
    assert contact.mobile == "13900001111" and contact.mobile_hash

    changed = contact_update(actor=agent, contact=contact, version=contact.version, data={"title": "物流总监"})
    assert changed.title == "物流总监" and changed.version == contact.version + 1
    with pytest.raises(StaleVersionError):
        contact_update(actor=agent, contact=contact, version=contact.version, data={"title": "旧的"})

    with pytest.raises(DomainError) as bad:
        contact_add(actor=agent, customer=customer, data={"name": "王", "mobile": "12345"})
    assert bad.value.field == "mobile"

    contact_remove(actor=agent, contact=changed)
    assert not Contact.objects.filter(customer=customer).exists()
    assert actions_for(customer)[-3:] == [
        "customers.contact.added",
        "customers.contact.changed",
        "customers.contact.removed",
    ]
    # the audit trail never holds a phone number in clear
    added = AuditEvent.objects.get(action="customers.contact.added")
    assert "13900001111" not in str(added.changes)


def test_an_agent_cannot_touch_contacts_of_another_team(people, teams):
    customer = make_customer(team=teams["cs_south"])
    with pytest.raises(PermissionDeniedError):
        contact_add(actor=people["agent"], customer=customer, data={"name": "李娜"})


# ---------------------------------------------------------------- versions


def test_second_of_two_concurrent_edits_is_refused_and_the_first_kept(people, teams):
    """Two agents open version 1; the first save wins, the second is refused with StaleVersionError."""
    customer = make_customer(team=teams["cs_east"])
    first_view = Customer.objects.get(pk=customer.pk)
    second_view = Customer.objects.get(pk=customer.pk)
    customer_update(actor=people["agent"], customer=first_view, version=first_view.version, data={"city": "上海"})
    with pytest.raises(StaleVersionError) as stale:
        customer_update(
            actor=people["supervisor"], customer=second_view, version=second_view.version, data={"city": "杭州"}
        )
    assert stale.value.code == "conflict" and stale.value.field == "version"
    assert Customer.objects.get(pk=customer.pk).city == "上海"


def form_data(customer: Customer, **overrides: Any) -> dict[str, Any]:
    """The POST body of the customer edit form for `customer` as stored."""
    data: dict[str, Any] = {}
    for name in CUSTOMER_FIELDS:
        value = getattr(customer, name)
        if name in ("account_manager", "team"):
            value = value.pk if value else ""
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        elif value is None:
            value = ""
        data[name] = value
    data["version"] = customer.version
    data.update(overrides)
    return data


def test_stale_edit_on_the_page_shows_a_message_and_keeps_the_first_save(people, teams, client_for):
    customer = make_customer(team=teams["cs_east"])
    opened = form_data(customer)  # both people opened the form at version 1
    first = client_for("agent").post(f"/customers/{customer.pk}/edit/", {**opened, "city": "上海"})
    assert first.status_code == 302

    second = client_for("supervisor").post(f"/customers/{customer.pk}/edit/", {**opened, "city": "杭州"})
    assert second.status_code == 409
    with translation.override("zh-hans"):
        message = StaleVersionError().message
    assert message in second.content.decode()
    assert Customer.objects.get(pk=customer.pk).city == "上海"


def test_stale_edit_over_the_api_answers_409(people, teams):
    customer = make_customer(team=teams["cs_east"])
    api, auth = Client(), bearer(people["agent"])
    url = f"/api/v1/customers/{customer.pk}"
    ok = api.patch(url, {"version": 1, "city": "上海"}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch(url, {"version": 1, "city": "杭州"}, content_type="application/json", **auth)
    assert stale.status_code == 409
    assert stale.json()["field"] == "version" and stale.json()["detail"]
    assert Customer.objects.get(pk=customer.pk).city == "上海"


# ---------------------------------------------------------------- change requests


@pytest.fixture
def shared_customer(people, teams):
    """Served by CS team 华东组 and managed by sales_rep: both sides of a change request see it."""
    return make_customer(name="共管物流有限公司", team=teams["cs_east"], account_manager=people["sales_rep"])


def test_change_request_is_applied_only_after_verified_approval(people, shared_customer):
    """sales_rep proposes; the supervisor approves with a verification method; history records it all."""
    request = change_request_submit(
        actor=people["sales_rep"],
        customer=shared_customer,
        changes={"address": "上海市浦东新区张江路1号", "annual_amount": "300"},
        reason="客户搬迁并扩大业务",
    )
    assert request.status == "pending"
    assert Customer.objects.get(pk=shared_customer.pk).address == ""  # nothing applied yet

    with pytest.raises(PermissionDeniedError):
        change_request_approve(actor=people["sales_rep"], request=request, verification_method="phone_callback")
    with pytest.raises(DomainError) as unverified:
        change_request_approve(actor=people["supervisor"], request=request, verification_method="")
    assert unverified.value.field == "verification_method"
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"

    approved = change_request_approve(
        actor=people["supervisor"], request=request, verification_method="phone_callback", note="已回拨核实"
    )
    assert (approved.status, approved.reviewed_by, approved.verification_method) == (
        "approved",
        people["supervisor"],
        "phone_callback",
    )
    customer = Customer.objects.get(pk=shared_customer.pk)
    assert customer.address == "上海市浦东新区张江路1号"
    assert customer.annual_amount == Decimal("300")
    assert customer.grade == "B"  # regraded: ≥100 with credit B
    assert customer.version == shared_customer.version + 1
    assert approved.applied_changes["address"] == ["", "上海市浦东新区张江路1号"]
    assert actions_for(customer)[-2:] == ["customers.change_request.submitted", "customers.change_request.approved"]
    timeline = [e.action for e in customer_timeline(customer)]
    assert "customers.change_request.approved" in timeline

    with pytest.raises(DomainError) as twice:
        change_request_reject(actor=people["cs_manager"], request=request, note="重复")
    assert twice.value.field == "status"


def test_rejecting_a_change_request_needs_a_note_and_changes_nothing(people, shared_customer):
    request = change_request_submit(
        actor=people["sales_rep"], customer=shared_customer, changes={"city": "苏州"}, reason="客户说搬了"
    )
    with pytest.raises(DomainError) as no_note:
        change_request_reject(actor=people["supervisor"], request=request, note=" ")
    assert no_note.value.field == "note"
    rejected = change_request_reject(actor=people["supervisor"], request=request, note="回拨核实：未搬迁")
    assert rejected.status == "rejected" and rejected.review_note == "回拨核实：未搬迁"
    assert Customer.objects.get(pk=shared_customer.pk).city == ""
    with pytest.raises(DomainError):
        change_request_approve(actor=people["supervisor"], request=request, verification_method="phone_callback")
    assert "customers.change_request.rejected" in actions_for(shared_customer)


def test_change_request_is_refused_for_cs_staff_and_for_bad_input(people, shared_customer):
    """CS staff edit directly; a request must name known fields with valid values and a reason."""
    with pytest.raises(PermissionDeniedError):
        change_request_submit(actor=people["agent"], customer=shared_customer, changes={"city": "苏州"}, reason="x")
    sales_rep = people["sales_rep"]
    cases = [
        ({}, "x", "changes"),
        ({"colour": "red"}, "x", "changes"),
        ({"city": "苏州"}, "  ", "reason"),
        ({"region": "atlantis"}, "x", "region"),
        ({"cooperation_start": "not a date"}, "x", "cooperation_start"),
    ]
    for changes, reason, field in cases:
        with pytest.raises(DomainError) as bad:
            change_request_submit(actor=sales_rep, customer=shared_customer, changes=changes, reason=reason)
        assert bad.value.field == field, changes
    assert not ChangeRequest.objects.exists()


def test_change_request_round_trip_through_the_pages(people, shared_customer, client_for):
    """sales_rep files the 变更登记表 from the edit page; the supervisor verifies and applies it."""
    response = client_for("sales_rep").post(
        f"/customers/{shared_customer.pk}/edit/",
        {**form_data(shared_customer, city="苏州"), "reason": "客户来电告知"},
    )
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert request.changes == {"city": "苏州"} and request.submitted_by == people["sales_rep"]
    assert Customer.objects.get(pk=shared_customer.pk).city == ""

    supervisor = client_for("supervisor")
    refused = supervisor.post(f"/customers/changes/{request.pk}/", {"decision": "approve", "note": ""})
    assert refused.status_code == 400  # no verification method
    assert ChangeRequest.objects.get(pk=request.pk).status == "pending"
    done = supervisor.post(
        f"/customers/changes/{request.pk}/",
        {"decision": "approve", "verification_method": "id_document", "note": "核对营业执照"},
    )
    assert done.status_code == 302
    assert Customer.objects.get(pk=shared_customer.pk).city == "苏州"
    listing = supervisor.get("/customers/changes/?status=approved")
    assert shared_customer.name in listing.content.decode()


# ---------------------------------------------------------------- access log


def test_access_log_records_detail_views_api_reads_and_exports(people, teams, client_for):
    """查阅登记: the page, the API and the export each leave a row naming who and what."""
    customer = make_customer(team=teams["cs_east"])
    supervisor = people["supervisor"]

    assert client_for("supervisor").get(f"/customers/{customer.pk}/").status_code == 200
    assert Client().get(f"/api/v1/customers/{customer.pk}", **bearer(supervisor)).status_code == 200
    assert client_for("supervisor").get("/customers/export.xlsx?region=shanghai").status_code == 200

    rows = list(AccessLog.objects.order_by("id").values_list("user_id", "customer_id", "action"))
    assert rows == [
        (supervisor.pk, customer.pk, "view"),
        (supervisor.pk, customer.pk, "view"),
        (supervisor.pk, None, "export"),
    ]
    export = AccessLog.objects.get(action="export")
    assert "1 customers" in export.detail and "region=shanghai" in export.detail
    # the list page alone is not an archive view
    client_for("supervisor").get("/customers/")
    assert AccessLog.objects.count() == 3
    # the CS manager reads the log
    page = client_for("cs_manager").get("/customers/access-log/")
    assert page.status_code == 200 and customer.name in page.content.decode()
