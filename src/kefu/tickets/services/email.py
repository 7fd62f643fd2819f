"""Cases from e-mail: new mail opens a case, replies thread into theirs."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.services import (
    DomainError,
)
from kefu.customers.models import Contact
from kefu.tickets.choices import (
    CaseChannel,
    CaseKind,
    ComplaintNature,
)
from kefu.tickets.mail import ParsedMail, parse_email
from kefu.tickets.models import (
    Case,
    CaseMessage,
)
from kefu.tickets.services.evidence import attachment_add, case_add_message, case_message, messages_record
from kefu.tickets.services.loop import case_receive

# --- e-mail ---------------------------------------------------------------------------------------

CASE_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9])(?:TS|JY|ZX|FW)-\d{8}-\d{4}(?!\d)")
COMPLAINT_WORD = "投诉"


def _sender_known(case: Case, sender: str) -> bool:
    """Whether `sender` wrote about the case before or is one of its customer's contacts."""
    sender = sender.strip().lower()
    if not sender:
        return False
    if sender == case.caller_email.lower():
        return True
    if case.customer_id and Contact.objects.filter(customer_id=case.customer_id, email__iexact=sender).exists():
        return True
    return case.messages.filter(direction=CaseMessage.Direction.INBOUND, sender__iexact=sender).exists()


def _email_thread(mail: ParsedMail) -> Case | None:
    """The case a mail answers: a Message-ID it replies to, else a case number in the subject.

    Case numbers are easy to guess, so a number alone threads a mail only from a sender the case
    knows; anyone else's mail opens a case of its own."""
    if mail.references:
        earlier = (
            CaseMessage.objects.filter(message_id__in=mail.references)
            .select_related("case")
            .order_by("-created_at", "-id")
            .first()
        )
        if earlier is not None:
            return earlier.case
    for number in CASE_NUMBER_RE.findall(mail.subject):
        case = Case.objects.filter(number=number).first()
        if case is not None and _sender_known(case, mail.sender):
            return case
    return None


def _email_contact(address: str) -> Contact | None:
    """The archive's contact with this e-mail address, when it names exactly one customer."""
    contacts = list(Contact.objects.filter(email__iexact=address).select_related("customer")[:10])
    return contacts[0] if contacts and len({c.customer_id for c in contacts}) == 1 else None


def _email_case_data(mail: ParsedMail) -> dict[str, Any]:
    complaint = COMPLAINT_WORD in mail.subject or COMPLAINT_WORD in mail.body
    first_line = next((line.strip() for line in mail.body.splitlines() if line.strip()), "")
    title = (mail.subject or first_line[:60] or _("E-mail without a subject"))[:200]
    data: dict[str, Any] = {
        "kind": CaseKind.COMPLAINT if complaint else CaseKind.INQUIRY,
        "nature": ComplaintNature.SOFT if complaint else "",
        "title": title,
        "description": mail.body or title,
        "channel": CaseChannel.EMAIL,
        "caller_email": mail.sender,
        "caller_name": (mail.sender_name or mail.sender)[:60],
    }
    contact = _email_contact(mail.sender)
    if contact is not None:
        data.update(customer=contact.customer, contact=contact, caller_name=contact.name[:60])
    return data


@transaction.atomic
def case_receive_email(*, raw: bytes) -> tuple[Case, bool]:
    """A mail to the service mailbox: a reply threads into its case, any other mail becomes a new case.

    Returns the case and whether it was created. Attachments are kept as evidence; a file of a type or
    size the case cannot take is left out with a note in the message. The same mail delivered twice
    (same Message-ID) is recorded once. Automatic mail (auto-replies, bounces) never opens a case.
    """
    mail = parse_email(raw)
    if mail.message_id:
        known = CaseMessage.objects.filter(
            message_id=mail.message_id, direction=CaseMessage.Direction.INBOUND
        ).select_related("case")
        if (earlier := known.first()) is not None:
            return earlier.case, False
    case = _email_thread(mail)
    created = case is None
    if case is None:
        if mail.automatic:
            raise DomainError(_("An automatic mail that answers no case is not kept."), code="ignored")
        if not mail.sender:
            raise DomainError(_("The mail has no readable sender address."), field="from")
        case = case_receive(actor=None, data=_email_case_data(mail))
    notes = []
    for item in mail.attachments:
        upload = SimpleUploadedFile(item.name, item.content, content_type=item.content_type)
        try:
            attachment_add(actor=None, case=case, upload=upload)
        except DomainError as exc:
            notes.append(_("Attachment “%(name)s” was not kept: %(reason)s") % {"name": item.name, "reason": exc})
    body = mail.body or mail.subject or _("(empty message)")
    if notes:
        body = "\n\n".join([body, "\n".join(notes)])
    case_add_message(
        actor=None,
        case=case,
        direction=CaseMessage.Direction.INBOUND,
        channel=CaseChannel.EMAIL,
        body=body,
        sender=mail.sender,
        subject=mail.subject,
        message_id=mail.message_id,
    )
    return case, created


def cases_record_emails_sent(payloads: Sequence[Mapping[str, Any]]) -> None:
    """E-mails about cases went to the outbox (event ``notify.case_email.queued``): keep each on its
    case as an outbound message, so a reply quoting its Message-ID threads back into the case.

    A subscriber runs inside the publisher's transaction, which fails as a whole: no savepoint."""
    messages_record(
        None,
        [
            case_message(
                p["case"],
                CaseMessage.Direction.OUTBOUND,
                CaseChannel.EMAIL,
                p["body"],
                subject=p["subject"],
                message_id=p["message_id"],
            )
            for p in payloads
        ],
    )
