"""Messages caused by domain events of other apps."""

from __future__ import annotations

import pytest
from django.core import mail

from kefu.core import events
from kefu.customers.services import (
    change_request_approve,
    change_request_reject,
    change_request_submit,
    customer_create,
)
from kefu.notify.models import Channel, MessageStatus, OutboxMessage, StaffNotification
from kefu.notify.services import messages_deliver_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(teams, people):
    return customer_create(
        actor=None,
        data={
            "name": "上海顺丰物流有限公司",
            "ownership": "private",
            "region": "shanghai",
            "team": teams["cs_east"],
            "account_manager": people["sales_rep"],
        },
    )


def test_approved_change_request_emails_its_submitter_once(customer, people):
    """When CS approves a change request, one email to the submitter is written to the outbox and sent."""
    request = change_request_submit(
        actor=people["sales_rep"], customer=customer, changes={"city": "苏州"}, reason="客户搬迁"
    )
    assert not OutboxMessage.objects.exists()

    decided = change_request_approve(
        actor=people["supervisor"], request=request, verification_method="phone_callback", note="已电话核实"
    )

    [message] = OutboxMessage.objects.all()
    assert message.channel == Channel.EMAIL
    assert message.recipient == people["sales_rep"].email
    assert "上海顺丰物流有限公司" in message.subject
    assert "已电话核实" in message.body
    assert message.dedupe_key == f"change-request-decided-{decided.pk}"
    [note] = StaffNotification.objects.filter(recipient=people["sales_rep"])
    assert note.link == f"/customers/changes/{decided.pk}/"

    # the same event published again (a retried handler) adds no second message
    events.publish("customers.change_request.decided", request=decided, actor=people["supervisor"])
    assert OutboxMessage.objects.count() == 1

    assert messages_deliver_due() == 1
    assert [m.to for m in mail.outbox] == [[people["sales_rep"].email]]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_rejected_change_request_also_emails_its_submitter(customer, people):
    """A rejection is a decision too: the submitter is told, with the reviewer's note."""
    request = change_request_submit(
        actor=people["dept_manager"], customer=customer, changes={"city": "苏州"}, reason="客户搬迁"
    )
    change_request_reject(actor=people["supervisor"], request=request, note="客户未确认")

    [message] = OutboxMessage.objects.all()
    assert message.recipient == people["dept_manager"].email
    assert "客户未确认" in message.body


def test_submitter_without_email_gets_no_message(customer, people):
    """A submitter with no email address causes no outbox row."""
    submitter = people["sales_rep"]
    submitter.email = ""
    submitter.save(update_fields=["email"])
    request = change_request_submit(actor=submitter, customer=customer, changes={"city": "苏州"}, reason="客户搬迁")
    change_request_approve(actor=people["supervisor"], request=request, verification_method="phone_callback")
    assert not OutboxMessage.objects.exists()
