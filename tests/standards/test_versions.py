"""Drafting, approving and versioning the 客户服务标准单: one version in force at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kefu.core.models import AuditEvent
from kefu.core.services import DomainError, PermissionDeniedError, StaleVersionError
from kefu.standards import selectors, services
from kefu.standards.models import Standard

from .conftest import add_item, indicator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The refusals are matched by their English wording."""
    with translation.override("en"):
        yield


def test_seeded_catalogue_has_the_nine_indicators_of_the_seed_and_two_more():
    from kefu.standards.models import Indicator

    names = set(Indicator.objects.values_list("name", flat=True))
    assert {"运输需求满足率", "货物及时发送率", "货物准时送达率", "货物完好送达率", "运输信息及时反馈率"} <= names
    assert {"库存完好率", "发货准确率", "客户投诉率", "客户投诉处理时间"} <= names
    assert Indicator.objects.count() == 11
    assert indicator("complaint_rate").direction == "lower"
    assert indicator("complaint_rate").department.name == "客户服务部"


def test_only_the_cs_manager_drafts(people):
    with pytest.raises(PermissionDeniedError):
        services.standard_draft(actor=people["agent"])
    standard = services.standard_draft(actor=people["cs_manager"])
    assert standard.version_no == 1 and standard.is_draft
    assert AuditEvent.objects.filter(action="standard.drafted", subject_id=str(standard.pk)).exists()


def test_one_draft_at_a_time(draft, people):
    with pytest.raises(DomainError):
        services.standard_draft(actor=people["cs_manager"])


def test_approval_records_the_approver_and_the_filler(approved, people):
    assert approved.status == "approved"
    assert approved.approved_by == people["general_manager"]
    assert approved.drafted_by == people["cs_manager"]
    assert AuditEvent.objects.filter(action="standard.approved", subject_id=str(approved.pk)).exists()


def test_approver_must_not_be_the_filler(draft, people):
    admin_draft = draft
    admin_draft.drafted_by = people["admin"]
    admin_draft.save(update_fields=["drafted_by"])
    with pytest.raises(DomainError, match="someone other"):
        services.standard_approve(actor=people["admin"], standard=admin_draft, version=None)


def test_the_cs_manager_cannot_approve(draft, people):
    with pytest.raises(PermissionDeniedError):
        services.standard_approve(actor=people["cs_manager"], standard=draft, version=None)


def test_department_weights_must_add_up_to_100(draft, people):
    add_item(draft, people["cs_manager"], "satisfaction_index", "10", {"foreign": "85"})
    with pytest.raises(DomainError, match="100"):
        services.standard_approve(actor=people["general_manager"], standard=draft, version=None)


def test_an_empty_standard_cannot_be_approved(people):
    standard = services.standard_draft(actor=people["cs_manager"])
    with pytest.raises(DomainError, match="no items"):
        services.standard_approve(actor=people["general_manager"], standard=standard, version=None)


def test_item_rules(draft, people):
    with pytest.raises(DomainError, match="already"):
        add_item(draft, people["cs_manager"], "complaint_rate", "10", {"foreign": "1"})
    with pytest.raises(DomainError, match="weight"):
        add_item(draft, people["cs_manager"], "satisfaction_index", "0", {"foreign": "1"})
    with pytest.raises(DomainError, match="at least one"):
        add_item(draft, people["cs_manager"], "satisfaction_index", "10", {"foreign": ""})
    with pytest.raises(DomainError, match="negative"):
        add_item(draft, people["cs_manager"], "satisfaction_index", "10", {"foreign": "-1"})


def test_an_approved_standard_is_read_only(approved, people):
    with pytest.raises(DomainError, match="new version"):
        add_item(approved, people["cs_manager"], "satisfaction_index", "10", {"foreign": "80"})
    with pytest.raises(DomainError):
        services.standard_update(actor=people["cs_manager"], standard=approved, data={"note": "x"}, version=None)


def test_stale_save_is_refused(draft, people):
    opened = draft.version
    services.standard_update(actor=people["cs_manager"], standard=draft, data={"note": "第一次"}, version=opened)
    with pytest.raises(StaleVersionError):
        services.standard_update(actor=people["cs_manager"], standard=draft, data={"note": "第二次"}, version=opened)
    with pytest.raises(StaleVersionError):
        services.item_save(
            actor=people["cs_manager"],
            standard=draft,
            version=opened,
            indicator=indicator("satisfaction_index"),
            weight=Decimal(10),
            targets={"foreign": "80"},
        )


def test_every_edit_bumps_the_version(draft, people):
    before = Standard.objects.get(pk=draft.pk).version
    add_item(draft, people["cs_manager"], "follow_up_coverage", "10", {"state": "90"})
    assert Standard.objects.get(pk=draft.pk).version == before + 1


def test_new_version_copies_items_and_one_version_is_in_force_at_a_time(approved, people):
    second = services.standard_draft(actor=people["cs_manager"], based_on=approved)
    assert second.version_no == 2
    assert [i.indicator.code for i in second.items.all()] == ["complaint_rate", "complaint_handling_time"]
    assert second.items.get(indicator__code="complaint_rate").targets.get(customer_type="private").target == 2
    services.standard_update(
        actor=people["cs_manager"], standard=second, data={"effective_from": dt.date(2026, 7, 1)}, version=None
    )
    services.standard_approve(actor=people["general_manager"], standard=second, version=None)
    assert selectors.standard_in_force(dt.date(2025, 12, 31)) is None
    assert selectors.standard_in_force(dt.date(2026, 6, 30)) == approved
    assert selectors.standard_in_force(dt.date(2026, 7, 1)).pk == second.pk
    assert Standard.objects.filter(status="approved").count() == 2  # the old version stays readable


def test_a_new_version_must_take_effect_after_the_last_approved_one(approved, people):
    second = services.standard_draft(actor=people["cs_manager"])
    services.standard_update(
        actor=people["cs_manager"], standard=second, data={"effective_from": approved.effective_from}, version=None
    )
    with pytest.raises(DomainError, match="after the last approved"):
        services.standard_approve(actor=people["general_manager"], standard=second, version=None)


def test_indicator_edits_check_the_version_and_the_computation(people, departments):
    complaint = indicator("complaint_rate")
    services.indicator_update(
        actor=people["cs_manager"], indicator=complaint, data={"name": "投诉率"}, version=complaint.version
    )
    with pytest.raises(StaleVersionError):
        services.indicator_update(
            actor=people["cs_manager"], indicator=complaint, data={"name": "客户投诉率"}, version=complaint.version
        )
    with pytest.raises(DomainError, match="computes"):
        services.indicator_create(
            actor=people["cs_manager"],
            data={"code": "x", "name": "X", "department": departments["cs"], "measurement": "computed"},
        )
    manual = services.indicator_create(
        actor=people["cs_manager"],
        data={
            "code": "staff_training",
            "name": "培训时数",
            "department": departments["cs"],
            "measurement": "manual",
            "unit": "h",
            "direction": "higher",
        },
    )
    assert manual.computation == ""
    with pytest.raises(PermissionDeniedError):
        services.indicator_create(
            actor=people["agent"], data={"code": "y", "name": "Y", "department": departments["cs"]}
        )
