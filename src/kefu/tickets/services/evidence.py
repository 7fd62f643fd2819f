"""Evidence files, messages exchanged with the customer, matching an unknown caller."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kefu.core.services import (
    DomainError,
    audit_record,
    bulk_insert,
    search_index_replace,
    search_words_replace,
)
from kefu.customers.models import Customer
from kefu.customers.services import customer_record_complaint
from kefu.tickets.choices import (
    CaseKind,
)
from kefu.tickets.models import (
    Attachment,
    Case,
    CaseMessage,
)
from kefu.tickets.services._base import (
    SEARCH_KIND,
    _grade_of,
    _locked,
    _require,
    _save,
    _search_text,
    derive_priority,
)
from kefu.tickets.services.loop import case_wait_for_customer

# --- evidence, messages, matching ----------------------------------------------------------------

ALLOWED_ATTACHMENT_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }
)
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS_PER_CASE = 20


@transaction.atomic
def attachment_add(*, actor: Any, case: Case, upload: Any) -> Attachment:
    """Keep a photo or file as evidence; refuses unknown types, files over 10 MB and more than 20 files."""
    if actor is not None:
        _require(actor, "tickets.work_case", case)
    content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise DomainError(
            _("Files of type %(type)s cannot be attached (photos, PDF, text, Excel and Word are accepted).")
            % {"type": content_type or "?"},
            field="file",
        )
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("A file may be at most 10 MB."), field="file")
    if case.attachments.count() >= MAX_ATTACHMENTS_PER_CASE:
        raise DomainError(_("A case holds at most 20 files."), field="file")
    attachment = Attachment.objects.create(
        case=case,
        file=upload,
        name=str(getattr(upload, "name", "file"))[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    audit_record(actor=actor, action="tickets.case.attachment_added", subject=case, changes={"file": attachment.name})
    return attachment


@transaction.atomic
def attachments_add(*, actor: Any, case: Case, uploads: Sequence[Any]) -> list[Attachment]:
    """Several files at once: every one is kept, or (one refused) none."""
    return [attachment_add(actor=actor, case=case, upload=upload) for upload in uploads]


def add_message_in_transaction(
    *,
    actor: Any,
    case: Case,
    direction: str,
    channel: str,
    body: str,
    sender: str = "",
    subject: str = "",
    message_id: str = "",
) -> CaseMessage:
    """Record a message exchanged with the customer; an inbound one ends a wait for the customer."""
    _require(actor, "tickets.work_case", case)
    if not body.strip():
        raise DomainError(_("The message is empty."), field="body")
    message = messages_record(actor, [case_message(case, direction, channel, body, sender, subject, message_id)])[0]
    if direction == CaseMessage.Direction.INBOUND:
        current = _locked(case)  # the caller's copy may be stale; a closed case has no wait to end
        if current.waiting_for_customer and current.is_open:
            case_wait_for_customer(actor=None, case=current, waiting=False, note=_("The customer answered."))
    return message


def case_message(
    case: Case, direction: str, channel: str, body: str, sender: str = "", subject: str = "", message_id: str = ""
) -> CaseMessage:
    """A message of the case, unsaved, its headers cut to what the columns hold."""
    return CaseMessage(
        case=case,
        direction=direction,
        channel=channel,
        body=body,
        sender=sender[:254],
        subject=subject[:200],
        message_id=message_id[:250],
    )


def messages_record(actor: Any, messages: Sequence[CaseMessage]) -> Sequence[CaseMessage]:
    """Keep messages on their cases with one INSERT (a COPY for many), each with its timeline event."""
    bulk_insert(messages)
    for message in messages:
        audit_record(
            actor=actor,
            action="tickets.case.message_in"
            if message.direction == CaseMessage.Direction.INBOUND
            else "tickets.case.message_out",
            subject=message.case,
            changes={"channel": message.channel, "subject": message.subject},
        )
    return messages


# Its own transaction, or a savepoint inside the caller's, so a refusal leaves the caller's work usable.
case_add_message = transaction.atomic(add_message_in_transaction)


@transaction.atomic
def case_match_customer(*, actor: Any, case: Case, customer: Any, contact: Any = None) -> Case:
    """An unknown caller turns out to be a customer in the archive."""
    _require(actor, "tickets.judge_case", case)
    case = _locked(case)
    if contact is not None and contact.customer_id != customer.pk:
        raise DomainError(_("The contact belongs to another customer."), field="contact")
    newly_known = case.customer_id != customer.pk
    case.customer, case.contact, case.team_id = customer, contact, customer.team_id
    case.search_text = _search_text(case).lower()
    if not case.priority_overridden:
        case.priority = derive_priority(severity=case.severity, customer_grade=_grade_of(case), kind=case.kind)
    _save(case, "customer_matched", actor, {"customer": str(customer)})
    if newly_known and case.kind == CaseKind.COMPLAINT:  # 特别记录, as at receipt
        customer_record_complaint(customer=customer, case_number=case.number, at=case.received_at)
    search_index_replace(kind=SEARCH_KIND, object_id=case.pk, text=_search_text(case))
    return case


REINDEX_CHUNK = 1000  # cases re-indexed per transaction


def cases_reindex_customer(*, customer_id: int) -> int:
    """Make the customer's cases findable by its current name, which their search text and tokens
    carry; the customer's change is the audited action. A chunk of cases at a time, each chunk locked
    while it is rewritten so an edit of one of them is not overwritten. Returns how many cases."""
    ids = list(Case.objects.filter(customer_id=customer_id).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), REINDEX_CHUNK):
        with transaction.atomic():
            cases = list(
                Case.objects.select_for_update(of=("self",))
                .select_related("customer")
                .filter(pk__in=ids[start : start + REINDEX_CHUNK])
            )
            search_words_replace(kind=SEARCH_KIND, records=[(case, _search_text(case)) for case in cases])
    return len(ids)


def cases_follow_customer_team(*, customer_id: int) -> int:
    """Give the customer's cases its current service team (each case keeps a copy for the agents'
    scope); the customer's change is the audited action. Returns how many cases moved."""
    team_id = Customer.objects.filter(pk=customer_id).values_list("team_id", flat=True).get()
    return Case.objects.filter(customer_id=customer_id).exclude(team_id=team_id).update(team_id=team_id)
