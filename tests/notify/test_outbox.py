"""The outbox: messages written in the business transaction, delivered by the worker, retried on failure."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from kefu.notify.models import Channel, MessageStatus, OutboxMessage
from kefu.notify.services import MAX_ATTEMPTS, message_enqueue, messages_deliver_due
from kefu.notify.tasks import deliver_outbox
from tests.notify.conftest import Mailbox, SmtpServer

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def enqueue_email(**overrides) -> OutboxMessage:
    values = {
        "channel": Channel.EMAIL,
        "recipient": "customer@example.test",
        "subject": "投诉 TS-20260302-0001 已受理",
        "body": "您好，您的投诉已受理，我们将在24小时内联系您。",
    }
    values.update(overrides)
    message = message_enqueue(**values)
    assert message is not None
    return message


def test_email_is_delivered_to_a_real_smtp_server(smtp_server: SmtpServer):
    """A pending email reaches the SMTP server with its recipient, subject and body, and is marked sent."""
    message = enqueue_email()

    assert messages_deliver_due() == 1

    [received] = smtp_server.mailbox.received
    assert received.recipients == ["customer@example.test"]
    assert received.sender == "kefu@example.test"
    assert received.message["Subject"] == "投诉 TS-20260302-0001 已受理"
    assert received.message.get_content().strip() == "您好，您的投诉已受理，我们将在24小时内联系您。"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    assert message.sent_at is not None


def test_sent_message_is_not_sent_again(smtp_server: SmtpServer):
    """Running delivery twice sends a message once."""
    enqueue_email()
    assert messages_deliver_due() == 1
    assert messages_deliver_due() == 0
    assert len(smtp_server.mailbox.received) == 1


def test_deliver_task_sends_due_messages(smtp_server: SmtpServer):
    """The periodic deliver_outbox task sends what is due and returns the count."""
    enqueue_email(recipient="a@example.test")
    enqueue_email(recipient="b@example.test")
    assert deliver_outbox.enqueue().return_value == 2
    assert sorted(r.recipients[0] for r in smtp_server.mailbox.received) == ["a@example.test", "b@example.test"]


def test_same_dedupe_key_enqueued_twice_sends_once(smtp_server: SmtpServer):
    """The second enqueue with a used dedupe_key is a no-op returning None; one email arrives."""
    first = message_enqueue(
        channel=Channel.EMAIL, recipient="c@example.test", subject="s", body="b", dedupe_key="visit-42"
    )
    second = message_enqueue(
        channel=Channel.EMAIL, recipient="c@example.test", subject="s", body="b", dedupe_key="visit-42"
    )
    assert first is not None
    assert second is None
    assert OutboxMessage.objects.filter(dedupe_key="visit-42").count() == 1

    messages_deliver_due()
    messages_deliver_due()
    assert len(smtp_server.mailbox.received) == 1


def test_dedupe_key_still_blocks_after_the_message_was_sent(smtp_server: SmtpServer):
    """A dedupe_key stays used after delivery, so a re-run of the cause sends nothing new."""
    message_enqueue(channel=Channel.EMAIL, recipient="c@example.test", body="b", dedupe_key="k-1")
    messages_deliver_due()
    assert message_enqueue(channel=Channel.EMAIL, recipient="c@example.test", body="b", dedupe_key="k-1") is None
    assert messages_deliver_due() == 0
    assert len(smtp_server.mailbox.received) == 1


def test_message_without_recipient_is_not_enqueued():
    """A customer without an address gets no message rather than a failing one."""
    assert message_enqueue(channel=Channel.EMAIL, recipient="", body="b") is None
    assert not OutboxMessage.objects.exists()


def test_failing_delivery_is_retried_later_then_marked_failed(smtp_settings):
    """With no SMTP server listening, each attempt is counted, retried after a growing delay, and
    the message is marked failed after MAX_ATTEMPTS attempts."""
    with time_machine.travel(START, tick=False) as traveller:
        message = enqueue_email()
        delays = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            assert messages_deliver_due() == 0
            message.refresh_from_db()
            assert message.attempts == attempt
            assert "ConnectionRefusedError" in message.last_error
            if attempt < MAX_ATTEMPTS:
                assert message.status == MessageStatus.PENDING
                delay = message.next_attempt_at - timezone.now()
                delays.append(delay)
                # not retried before its time
                traveller.shift(delay - dt.timedelta(seconds=1))
                messages_deliver_due()
                message.refresh_from_db()
                assert message.attempts == attempt
                traveller.shift(dt.timedelta(seconds=1))
        assert message.status == MessageStatus.FAILED
        assert delays == sorted(delays)
        assert delays[0] < delays[-1]

        traveller.shift(dt.timedelta(days=30))
        messages_deliver_due()
        message.refresh_from_db()
        assert message.attempts == MAX_ATTEMPTS
        assert message.status == MessageStatus.FAILED


def test_failed_attempt_is_retried_when_the_server_is_back(smtp_settings):
    """A message that failed while the server was down is delivered on a later run."""
    server = SmtpServer(port=smtp_settings.EMAIL_PORT, mailbox=Mailbox())
    with time_machine.travel(START, tick=True) as traveller:
        message = enqueue_email()
        assert messages_deliver_due() == 0
        server.start()
        try:
            assert messages_deliver_due() == 0, "retried too early"
            traveller.shift(dt.timedelta(minutes=3))
            assert messages_deliver_due() == 1
        finally:
            server.stop()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert len(server.mailbox.received) == 1


def test_one_failing_message_does_not_block_the_others(smtp_server: SmtpServer, settings, tmp_path):
    """A message whose SMS delivery fails is kept for a retry while the emails around it go out."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the SMS folder should be")
    settings.SMS_BACKEND = "kefu.notify.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = blocker / "sms.log"  # its folder cannot be created: delivery fails
    enqueue_email(recipient="a@example.test")
    sms = message_enqueue(channel=Channel.SMS, recipient="13812345678", body="短信")
    enqueue_email(recipient="b@example.test")

    assert messages_deliver_due() == 2

    sms.refresh_from_db()
    assert sms.status == MessageStatus.PENDING
    assert sms.attempts == 1
    assert sms.last_error


def test_sms_lands_as_a_json_line_in_the_sms_file(settings, tmp_path):
    """The file SMS backend appends one JSON line per message with recipient and body."""
    path = tmp_path / "sms" / "outbox.log"
    settings.SMS_BACKEND = "kefu.notify.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = path
    message_enqueue(channel=Channel.SMS, recipient="13812345678", body="您的货物已签收。")
    message_enqueue(channel=Channel.SMS, recipient="13900000000", body="回访提醒")

    assert messages_deliver_due() == 2

    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(line["to"], line["body"]) for line in lines] == [
        ("13812345678", "您的货物已签收。"),
        ("13900000000", "回访提醒"),
    ]
    assert all(dt.datetime.fromisoformat(line["at"]).tzinfo is not None for line in lines)
    assert "您的货物已签收" in path.read_text(encoding="utf-8")
    assert not mail.outbox
