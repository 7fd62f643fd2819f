"""What customers and staff are told as a case moves: outbox rows, quiet hours, no repeats."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from kefu.core import events
from kefu.notify.models import Channel, OutboxMessage
from kefu.notify.services import messages_deliver_due, outbox_message_id
from kefu.notify.subscribers import quiet_until
from kefu.tickets.models import CaseClock, CaseMessage
from kefu.tickets.services import case_judge, case_receive, clocks_sweep
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.KEFU_BASE_URL = "https://kefu.example.test"
    settings.KEFU_MAIL_INTAKE_ADDRESS = "kefu@service.example.test"
    settings.KEFU_QUIET_HOURS = "12:00-14:00,21:00-09:00"


def caller_case(**fields):
    data = {
        "kind": "inquiry",
        "title": "查询运单",
        "description": "运单 SF123 三天没有更新",
        "channel": "hotline",
        "caller_name": "王先生",
        "caller_phone": "13812345678",
    }
    data.update(fields)
    return case_receive(actor=None, data=data)


@time_machine.travel(at(2026, 11, 23, 10, 0), tick=False)
def test_a_received_case_emails_the_contact_once_with_number_and_tracking_link():
    customer = make_customer(contacts=[{"name": "赵敏", "email": "zhao.min@shunda.example.test", "is_primary": True}])

    case = case_receive(
        actor=None,
        data={
            "kind": "inquiry",
            "title": "询价",
            "description": "上海到成都整车",
            "channel": "hotline",
            "customer": customer,
        },
    )

    [message] = OutboxMessage.objects.all()  # no mobile on file: no SMS
    assert (message.channel, message.recipient) == (Channel.EMAIL, "zhao.min@shunda.example.test")
    assert message.subject == f"[{case.number}] 我们已收到您的来信"  # customers are written to in Chinese
    assert f"https://kefu.example.test/portal/track/{case.tracking_code}/" in message.body
    # the case keeps the e-mail, under the Message-ID it is sent with, so a reply threads back
    outbound = CaseMessage.objects.get(case=case, direction=CaseMessage.Direction.OUTBOUND)
    assert (
        outbound.message_id == outbox_message_id(message.dedupe_key) == f"<{message.dedupe_key}@service.example.test>"
    )

    assert messages_deliver_due() == 1
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == outbound.message_id
    assert sent.to == ["zhao.min@shunda.example.test"]


@time_machine.travel(at(2026, 11, 23, 10, 0), tick=False)
def test_a_repeated_event_enqueues_nothing_new():
    case = caller_case(caller_email="wang@example.test")
    assert OutboxMessage.objects.count() == 2  # one e-mail, one SMS

    events.publish("tickets.case.received", case=case, actor=None)

    assert OutboxMessage.objects.count() == 2
    assert CaseMessage.objects.filter(case=case, direction=CaseMessage.Direction.OUTBOUND).count() == 1


@time_machine.travel(at(2026, 11, 23, 22, 30), tick=False)
def test_an_sms_due_in_quiet_hours_waits_for_the_morning():
    case = caller_case()

    [sms] = OutboxMessage.objects.filter(channel=Channel.SMS)
    assert sms.recipient == "13812345678"
    assert case.number in sms.body
    assert sms.next_attempt_at == at(2026, 11, 24, 9, 0)
    assert messages_deliver_due() == 0  # nothing goes out tonight


@time_machine.travel(at(2026, 11, 23, 22, 30), tick=False)
def test_a_major_case_sms_goes_at_once():
    caller_case(severity="major")

    [sms] = OutboxMessage.objects.filter(channel=Channel.SMS)
    assert sms.next_attempt_at == at(2026, 11, 23, 22, 30)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at(2026, 11, 23, 10, 0), None),
        (at(2026, 11, 23, 12, 0), at(2026, 11, 23, 14, 0)),
        (at(2026, 11, 23, 13, 59), at(2026, 11, 23, 14, 0)),
        (at(2026, 11, 23, 14, 0), None),
        (at(2026, 11, 23, 20, 59), None),
        (at(2026, 11, 23, 21, 0), at(2026, 11, 24, 9, 0)),
        (at(2026, 11, 24, 3, 15), at(2026, 11, 24, 9, 0)),
        (at(2026, 11, 24, 9, 0), None),
        (dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.UTC), at(2026, 11, 24, 9, 0)),  # 22:30 in Shanghai
    ],
)
def test_quiet_hours_end(now, until):
    assert quiet_until(now) == until


def test_touching_quiet_periods_end_at_the_last_one(settings):
    settings.KEFU_QUIET_HOURS = "21:00-09:00,09:00-09:30"
    assert quiet_until(at(2026, 11, 23, 23, 0)) == at(2026, 11, 24, 9, 30)


@time_machine.travel(at(2026, 11, 23, 10, 0), tick=False)
def test_judged_not_valid_sends_the_explanation_and_a_second_judgement_is_told_again(people):
    case = caller_case(caller_email="wang@example.test")

    case_judge(actor=people["supervisor"], case=case, valid=False, note="经核实，货物已于昨日签收。")

    [email] = OutboxMessage.objects.filter(channel=Channel.EMAIL, dedupe_key__contains="judged_invalid")
    assert "经核实，货物已于昨日签收。" in email.body
    assert case.number in email.subject
    [sms] = OutboxMessage.objects.filter(channel=Channel.SMS, dedupe_key__contains="judged_invalid")
    assert "经核实" in sms.body


@time_machine.travel(at(2026, 11, 23, 10, 0), tick=False)
def test_judged_valid_tells_when_to_expect_an_answer(people, departments):
    case = caller_case(caller_email="wang@example.test")

    case_judge(
        actor=people["supervisor"],
        case=case,
        valid=True,
        note="转运输部核查",
        department=departments["cs"],
        expected_answer_at=at(2026, 11, 24, 17, 0),
    )

    [email] = OutboxMessage.objects.filter(channel=Channel.EMAIL, dedupe_key__contains="judged_valid")
    assert "2026-11-24 17:00" in email.body


def test_escalation_emails_reach_the_people_of_each_new_level(people):
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        case = caller_case()
    clock = CaseClock.objects.filter(case=case).order_by("due_at").first()
    interval = dt.timedelta(minutes=clock.policy.escalation_interval_minutes)
    seen = set(OutboxMessage.objects.values_list("pk", flat=True))

    def recipients_of_new_mail():
        new = list(OutboxMessage.objects.exclude(pk__in=seen))
        seen.update(m.pk for m in new)
        return {m.recipient for m in new if m.channel == Channel.EMAIL}

    # one clock, three breaches in a row: supervisor, then CS manager and marketing director, then the GM
    CaseClock.objects.filter(case=case).exclude(pk=clock.pk).update(stopped_at=clock.started_at)
    expected = [
        {people["supervisor"].email},
        {people["cs_manager"].email, people["marketing_director"].email},
        {people["general_manager"].email},
    ]
    for step, who in enumerate(expected):
        with time_machine.travel(clock.due_at + step * interval + dt.timedelta(seconds=1), tick=False):
            assert clocks_sweep()["escalated"] == 1
            assert recipients_of_new_mail() == who
            # a second sweep, or the same event published again, sends nothing more
            clocks_sweep()
            case.refresh_from_db()
            events.publish("tickets.case.escalated", case=case, clock=clock)
            assert not OutboxMessage.objects.exclude(pk__in=seen).exists()


def test_a_warning_before_a_breach_emails_the_assignee(people, departments):
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        case = caller_case()
        case_judge(
            actor=people["supervisor"],
            case=case,
            valid=True,
            note="ok",
            department=departments["cs"],
            assignee=people["agent"],
        )
    clock = CaseClock.objects.filter(case=case, stopped_at__isnull=True).order_by("warn_at").first()
    OutboxMessage.objects.all().delete()

    with time_machine.travel(clock.warn_at + dt.timedelta(seconds=1), tick=False):
        assert clocks_sweep()["warned"] >= 1

    warnings = OutboxMessage.objects.filter(channel=Channel.EMAIL, dedupe_key__contains="-warn-")
    assert {m.recipient for m in warnings} == {people["agent"].email}
    assert all(case.number in m.subject for m in warnings)
