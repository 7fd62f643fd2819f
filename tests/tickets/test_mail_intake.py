"""E-mail intake through a real SMTP server: Kefu's aiosmtpd handler on a free port, mail sent with smtplib."""

from __future__ import annotations

import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from aiosmtpd.controller import Controller

from kefu.notify.models import Channel, OutboxMessage
from kefu.tickets.mail import IntakeHandler, parse_email
from kefu.tickets.models import Case, CaseMessage
from tests.customers.factories import make_customer

# The handler writes from its own thread: the test database must be committed to, and
# serialized_rollback restores the seeded rows (departments, SLA policies) after the flush.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MAILBOX = "kefu@service.example.test"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Intake:
    """The running intake server and a way to post mail to it."""

    def __init__(self, port: int) -> None:
        self.port = port

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.send_message(message, from_addr=str(message["From"]), to_addrs=[MAILBOX])


@pytest.fixture
def intake(settings, tmp_path) -> Iterator[Intake]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.KEFU_MAIL_INTAKE_ADDRESS = MAILBOX
    handler = IntakeHandler(addresses=[MAILBOX])
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield Intake(controller.port)
    controller.stop()
    handler.close()


def mail(*, sender: str, subject: str, body: str, **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAILBOX
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="customer.example.test")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message


@transactional
def test_a_new_mail_becomes_a_case_with_its_message_and_attachment(intake):
    message = mail(sender="王芳 <wang.fang@example.test>", subject="货物什么时候到？", body="运单 SF123 三天没有更新。")
    message.add_attachment(PNG, maintype="image", subtype="png", filename="运单截图.png")
    message.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload", filename="tool.exe")

    intake.send(message)

    case = Case.objects.get()
    assert (case.kind, case.channel, case.caller_email) == ("inquiry", "email", "wang.fang@example.test")
    assert case.caller_name == "王芳"
    assert case.title == "货物什么时候到？"
    assert case.customer is None
    inbound = case.messages.get(direction=CaseMessage.Direction.INBOUND)
    assert inbound.message_id == message["Message-ID"]
    assert inbound.body.startswith("运单 SF123 三天没有更新。")
    assert "tool.exe" in inbound.body  # the refused file is named in a note
    [attachment] = case.attachments.all()
    assert (attachment.name, attachment.content_type, attachment.size) == ("运单截图.png", "image/png", len(PNG))
    assert attachment.file.read() == PNG
    # the customer is told, by return mail, that the case was received
    [ack] = OutboxMessage.objects.filter(channel=Channel.EMAIL)
    assert ack.recipient == "wang.fang@example.test"
    assert case.number in ack.subject


@transactional
def test_a_mail_that_mentions_a_complaint_becomes_a_soft_complaint(intake):
    intake.send(mail(sender="li@example.test", subject="我要投诉司机", body="司机态度很差。"))

    case = Case.objects.get()
    assert (case.kind, case.nature, case.number[:3]) == ("complaint", "soft", "TS-")


@transactional
def test_a_reply_with_the_case_number_in_the_subject_threads_into_the_case(intake):
    intake.send(mail(sender="wang.fang@example.test", subject="货物什么时候到？", body="第一封"))
    case = Case.objects.get()

    intake.send(
        mail(sender="wang.fang@example.test", subject=f"回复：[{case.number}] 我们已收到", body="补充：收货人电话变了")
    )

    assert Case.objects.count() == 1
    bodies = list(case.messages.filter(direction=CaseMessage.Direction.INBOUND).values_list("body", flat=True))
    assert bodies == ["第一封", "补充：收货人电话变了"]


@transactional
def test_a_stranger_quoting_a_case_number_opens_a_case_of_their_own(intake):
    intake.send(mail(sender="wang.fang@example.test", subject="货物什么时候到？", body="第一封"))
    case = Case.objects.get()

    intake.send(mail(sender="someone@else.example.test", subject=f"[{case.number}] 我也要投诉", body="别人的信"))

    assert Case.objects.count() == 2
    assert list(case.messages.filter(direction=CaseMessage.Direction.INBOUND).values_list("body", flat=True)) == [
        "第一封"
    ]
    assert Case.objects.exclude(pk=case.pk).get().caller_email == "someone@else.example.test"


@transactional
def test_a_colleague_of_the_customer_may_answer_by_case_number(intake):
    make_customer(
        name="华东贸易",
        contacts=[
            {"name": "王芳", "email": "wang.fang@example.test"},
            {"name": "赵强", "email": "zhao.qiang@example.test"},
        ],
    )
    intake.send(mail(sender="wang.fang@example.test", subject="货物什么时候到？", body="第一封"))
    case = Case.objects.get()

    intake.send(mail(sender="ZHAO.QIANG@example.test", subject=f"Re: {case.number}", body="我是赵强，补充一下"))

    assert Case.objects.count() == 1
    assert case.messages.filter(direction=CaseMessage.Direction.INBOUND).count() == 2


@transactional
def test_a_reply_to_kefus_message_id_threads_without_a_case_number(intake):
    intake.send(mail(sender="wang.fang@example.test", subject="货物什么时候到？", body="第一封"))
    case = Case.objects.get()
    outbound = case.messages.get(direction=CaseMessage.Direction.OUTBOUND)
    assert outbound.message_id.startswith("<case-")
    assert case.number in outbound.subject

    reply = mail(
        sender="wang.fang@example.test", subject="Re: 您好", body="谢谢，等你们消息", In_Reply_To=outbound.message_id
    )
    reply["References"] = f"<older@example.test> {outbound.message_id}"
    intake.send(reply)

    assert Case.objects.count() == 1
    assert case.messages.filter(direction=CaseMessage.Direction.INBOUND).count() == 2


@transactional
def test_a_mail_from_a_known_contact_is_matched_to_the_customer(intake):
    customer = make_customer(
        name="苏州顺达物流有限公司",
        contacts=[{"name": "赵敏", "email": "zhao.min@shunda.example.test", "is_primary": True}],
    )

    intake.send(mail(sender="Zhao Min <Zhao.Min@Shunda.example.test>", subject="询价：上海到成都整车", body="请报价"))

    case = Case.objects.get()
    assert case.customer == customer
    assert case.contact.name == "赵敏"
    assert case.caller_email == "zhao.min@shunda.example.test"


@transactional
def test_the_same_mail_delivered_twice_is_kept_once(intake):
    message = mail(sender="wang.fang@example.test", subject="货物什么时候到？", body="第一封")

    intake.send(message)
    intake.send(message)

    case = Case.objects.get()
    assert case.messages.filter(direction=CaseMessage.Direction.INBOUND).count() == 1


@transactional
def test_mail_for_another_mailbox_is_refused(intake):
    message = mail(sender="wang.fang@example.test", subject="hi", body="hi")
    with smtplib.SMTP("127.0.0.1", intake.port, timeout=10) as smtp, pytest.raises(smtplib.SMTPRecipientsRefused):
        smtp.send_message(message, to_addrs=["someone.else@service.example.test"])
    assert not Case.objects.exists()


@transactional
def test_an_auto_reply_opens_no_case(intake):
    intake.send(mail(sender="mailer@example.test", subject="Out of office", body="away", Auto_Submitted="auto-replied"))
    assert not Case.objects.exists()


def test_an_html_only_mail_is_read_as_text_and_its_headers_decoded():
    message = EmailMessage()
    message["From"] = "=?utf-8?b?5byg5Lyf?= <zhang@example.test>"
    message["Subject"] = "=?utf-8?b?5Zue5aSN77yaW1RTLTIwMjYxMTIzLTAwMDFd?="
    message["Message-ID"] = "<abc@example.test>"
    message["In-Reply-To"] = "<case-1-received-v1-email@service.example.test>"
    message["References"] = "<first@example.test> <case-1-received-v1-email@service.example.test>"
    message.set_content(
        "<html><style>p{}</style><body><p>货物&nbsp;破损</p><p>请<b>尽快</b>处理</p></body></html>", subtype="html"
    )

    parsed = parse_email(message.as_bytes())

    assert (parsed.sender, parsed.sender_name) == ("zhang@example.test", "张伟")
    assert parsed.subject == "回复：[TS-20261123-0001]"
    assert parsed.body == "货物 破损\n\n请尽快处理"
    assert parsed.message_id == "<abc@example.test>"
    assert parsed.references == ("<case-1-received-v1-email@service.example.test>", "<first@example.test>")
    assert parsed.attachments == ()
