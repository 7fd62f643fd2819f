"""Evidence files with type and size limits, messages with the customer (an answer ends a wait),
and matching an unknown caller to the customer archive."""

from __future__ import annotations

import pytest

from kefu.core.services import DomainError, PermissionDeniedError
from kefu.customers.models import Customer
from kefu.tickets.models import Attachment, Case, CaseClock, CaseMessage
from kefu.tickets.selectors import case_queue
from kefu.tickets.services import (
    MAX_ATTACHMENT_BYTES,
    attachment_add,
    case_add_message,
    case_judge,
    case_match_customer,
    case_wait_for_customer,
)
from tests.customers.factories import make_customer
from tests.tickets.conftest import PNG, upload

pytestmark = pytest.mark.usefixtures("media")


def test_a_photo_is_kept_as_evidence(staff, receive, tmp_path):
    case = receive()
    attachment = attachment_add(actor=staff["agent"], case=case, upload=upload("破损照片.png"))
    assert (attachment.name, attachment.content_type, attachment.size) == ("破损照片.png", "image/png", len(PNG))
    assert attachment.uploaded_by == staff["agent"]
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("setup.exe", "application/x-msdownload"), ("page.html", "text/html"), ("noname", "")],
)
def test_unknown_file_types_are_refused(name, content_type, staff, receive):
    with pytest.raises(DomainError) as refused:
        attachment_add(actor=staff["agent"], case=receive(), upload=upload(name, b"MZ", content_type))
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()


def test_a_file_over_10_mb_is_refused_and_one_of_exactly_10_mb_is_kept(staff, receive):
    case = receive()
    big = b"\0" * (MAX_ATTACHMENT_BYTES + 1)
    with pytest.raises(DomainError) as refused:
        attachment_add(actor=staff["agent"], case=case, upload=upload("big.pdf", big, "application/pdf"))
    assert refused.value.field == "file"
    attachment_add(actor=staff["agent"], case=case, upload=upload("ok.pdf", big[:-1], "application/pdf"))
    assert case.attachments.count() == 1


def test_a_case_holds_at_most_20_files(staff, receive):
    case = receive()
    for n in range(20):
        attachment_add(actor=staff["agent"], case=case, upload=upload(f"{n}.png"))
    with pytest.raises(DomainError) as refused:
        attachment_add(actor=staff["agent"], case=case, upload=upload("21.png"))
    assert refused.value.field == "file"
    assert case.attachments.count() == 20


def test_someone_who_cannot_see_the_case_cannot_attach_to_it(staff, receive):
    with pytest.raises(PermissionDeniedError):
        attachment_add(actor=staff["agent_other"], case=receive(), upload=upload())


def test_an_answer_from_the_customer_ends_the_wait_and_resumes_the_clocks(staff, receive):
    case = receive()
    case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    case_add_message(
        actor=None,
        case=case,
        direction=CaseMessage.Direction.INBOUND,
        channel="email",
        body="照片见附件",
        sender="c@x.cn",
    )
    case.refresh_from_db()
    assert not case.waiting_for_customer
    assert not CaseClock.objects.filter(case=case, paused_at__isnull=False).exists()
    assert case_queue(user=staff["agent"], queue="waiting").count() == 0


def test_a_message_to_the_customer_does_not_end_the_wait(staff, receive):
    case = receive()
    case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    case_add_message(
        actor=staff["agent"], case=case, direction=CaseMessage.Direction.OUTBOUND, channel="sms", body="请补充照片"
    )
    assert Case.objects.get(pk=case.pk).waiting_for_customer


def test_an_empty_message_is_refused(staff, receive):
    with pytest.raises(DomainError) as refused:
        case_add_message(actor=None, case=receive(), direction="in", channel="email", body="  ")
    assert refused.value.field == "body"


def test_a_late_answer_to_a_case_closed_while_waiting_is_still_recorded(staff, receive):
    """The case was judged 不成立 while waiting; the customer's later e-mail is kept, nothing fails."""
    case = receive()
    case_wait_for_customer(actor=staff["agent"], case=case, waiting=True)
    case_judge(actor=staff["agent"], case=case, valid=False, note="经核实不属实")
    case_add_message(actor=None, case=case, direction="in", channel="email", body="我不同意")
    assert CaseMessage.objects.filter(case=case, body="我不同意").exists()


def test_someone_who_cannot_see_the_case_cannot_write_on_it(staff, receive):
    with pytest.raises(PermissionDeniedError):
        case_add_message(actor=staff["agent_other"], case=receive(), direction="out", channel="sms", body="你好")
    assert not CaseMessage.objects.exists()


def test_an_unknown_caller_is_matched_to_the_archive_later(staff, teams, receive):
    case = receive(customer=None, caller_name="李先生", caller_phone="13900001111", title="陌生来电投诉")
    known = make_customer(
        name="闵行冷链测试有限公司", team=teams["cs_east"], contacts=[{"name": "李强", "mobile": "13900001111"}]
    )
    contact = known.contacts.get()
    case = case_match_customer(actor=staff["agent"], case=case, customer=known, contact=contact)
    assert (case.customer, case.contact) == (known, contact)
    assert [c.pk for c in case_queue(user=staff["agent"], queue="all", q="闵行冷链")] == [case.pk]
    # the complaint now counts on the customer's archive (特别记录)
    known = Customer.objects.get(pk=known.pk)
    assert known.complaint_count == 1
    assert known.last_complaint_at == case.received_at


def test_matching_refuses_a_contact_of_another_customer(staff, teams, receive):
    case = receive(customer=None, caller_name="李先生")
    one = make_customer(team=teams["cs_east"])
    other = make_customer(team=teams["cs_east"], contacts=[{"name": "王五", "mobile": "13700001111"}])
    with pytest.raises(DomainError) as refused:
        case_match_customer(actor=staff["agent"], case=case, customer=one, contact=other.contacts.get())
    assert refused.value.field == "contact"
    assert Case.objects.get(pk=case.pk).customer is None


def test_only_customer_service_matches_callers(staff, teams, receive):
    case = receive(customer=None, caller_name="李先生")
    with pytest.raises(PermissionDeniedError):
        case_match_customer(actor=staff["transport_manager"], case=case, customer=make_customer(team=teams["cs_east"]))
