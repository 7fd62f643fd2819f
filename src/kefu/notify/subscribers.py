"""Messages the domain events of the archive and of cases cause."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kefu.accounts.models import Role, User
from kefu.core import events
from kefu.customers.models import Contact
from kefu.notify.models import Channel, OutboxMessage
from kefu.notify.services import (
    StaffNote,
    messages_enqueue_many,
    outbox_message_id,
    staff_notify,
    staff_notify_many,
)


def on_change_request_decided(*, request: Any, actor: Any) -> None:
    """Tell the submitter of a change request what customer service decided (in the app and by e-mail)."""
    values = {
        "customer": request.customer.name,
        "status": request.get_status_display(),
        "reviewer": actor,
        "note": request.review_note or "-",
    }
    staff_notify(
        user=request.submitted_by,
        subject=_("Your change request for %(customer)s: %(status)s") % values,
        body=_("Customer: %(customer)s\nDecision: %(status)s\nBy: %(reviewer)s\nNote: %(note)s") % values,
        link=f"/customers/changes/{request.pk}/",
        dedupe_key=f"change-request-decided-{request.pk}",
    )


# --- cases: the customer hears at every step, staff when a time limit is near or passed -------------
#
# notify sits below tickets, so it never imports it: the case, clock and solution arrive as objects
# and are read by attribute only. Every message has a dedupe key built from the case's version (each
# transition saves a new one), so a repeated event sends nothing twice while a second round of the same
# step (a case judged again after an objection) is told again.

MAJOR_SEVERITY = "major"
SMS_NOTE_LENGTH = 120


def quiet_hours() -> list[tuple[dt.time, dt.time]]:
    """KEFU_QUIET_HOURS ("12:00-14:00,21:00-09:00") as (start, end) pairs; a period may cross midnight."""
    periods = []
    for chunk in str(settings.KEFU_QUIET_HOURS or "").split(","):
        if not chunk.strip():
            continue
        start, _sep, end = chunk.strip().partition("-")
        periods.append((dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())))
    return periods


def quiet_until(at: dt.datetime) -> dt.datetime | None:
    """When the quiet period `at` falls in ends (local time), or None when `at` is not quiet."""
    local = timezone.localtime(at)
    moved = False
    for _round in range(4):  # periods that touch (21:00-09:00 and 09:00-09:30) end at the last one
        for start, end in quiet_hours():
            clock = local.time()
            if start <= end:
                inside, ends_on = start <= clock < end, local.date()
            elif clock >= start:
                inside, ends_on = True, local.date() + dt.timedelta(days=1)
            else:
                inside, ends_on = clock < end, local.date()
            if inside:
                local = dt.datetime.combine(ends_on, end, tzinfo=local.tzinfo)
                moved = True
                break
        else:
            break
    return local if moved else None


def tracking_link(case: Any) -> str:
    return f"{settings.KEFU_BASE_URL}/portal/track/{case.tracking_code}/"


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _contacts(cases: Sequence[Any]) -> dict[int, Any]:
    """Whom to write to about each case, by case id: its contact, or else its customer's primary
    contact (one read for all the cases that name none)."""
    found = {case.pk: case.contact for case in cases if getattr(case, "contact", None) is not None}
    customer_ids = {case.customer_id for case in cases if case.pk not in found and getattr(case, "customer_id", None)}
    primary: dict[int, Contact] = {}
    # Only what a message needs: every other encrypted field would be decrypted for nothing.
    candidates = Contact.objects.filter(customer_id__in=customer_ids).only("customer_id", "email", "mobile")
    for contact in candidates.order_by("customer_id", *Contact._meta.ordering):
        primary.setdefault(contact.customer_id, contact)
    for case in cases:
        if case.pk not in found and getattr(case, "customer_id", None) in primary:
            found[case.pk] = primary[case.customer_id]
    return found


def _customer_email(case: Any, contact: Any) -> str:
    return str(case.caller_email or getattr(contact, "email", "") or "")


def _customer_mobile(case: Any, contact: Any) -> str:
    return str(getattr(contact, "mobile", "") or case.caller_phone or "")


def _approved_solution(case: Any) -> Any:
    solutions = getattr(case, "solutions", None)
    if solutions is None:
        return None
    return next((s for s in solutions.order_by("-decided_at", "-id") if s.status == "approved"), None)


def _customer_texts(step: str, case: Any) -> tuple[str, str, str] | None:
    """(e-mail subject, e-mail body, SMS) for one step of the case, in the active language."""
    values = {
        "number": case.number,
        "title": case.title,
        "link": tracking_link(case),
        "note": (case.judgement_note or "").strip(),
    }
    if step == "received":
        return (
            _("[%(number)s] We have received your request") % values,
            _(
                "Dear customer,\n\nThank you for contacting us. We have received your message “%(title)s” and "
                "registered it as case %(number)s.\n\nYou can follow the case at any time here:\n%(link)s\n\n"
                "To add anything, simply reply to this e-mail."
            )
            % values,
            _("Your case %(number)s has been received. Follow it here: %(link)s") % values,
        )
    if step == "judged_invalid":
        values["short_note"] = values["note"][:SMS_NOTE_LENGTH]
        return (
            _("[%(number)s] Our answer to your request") % values,
            _(
                "Dear customer,\n\nThank you for taking the time to tell us about “%(title)s”. We have looked into "
                "it carefully:\n\n%(note)s\n\nIf you see it differently, please reply to this e-mail or call us: "
                "we will gladly look at it again.\n\nCase %(number)s: %(link)s"
            )
            % values,
            _("Case %(number)s: %(short_note)s Details: %(link)s") % values,
        )
    if step == "judged_valid":
        expected = getattr(case, "expected_answer_at", None)
        values["when"] = (
            _("You can expect our answer by %(when)s.") % {"when": _when(expected)}
            if expected
            else _("We will answer you as soon as possible.")
        )
        return (
            _("[%(number)s] We are working on your request") % values,
            _(
                "Dear customer,\n\nYour case %(number)s “%(title)s” has been handed to the responsible colleagues. "
                "%(when)s\n\nFollow the case here:\n%(link)s"
            )
            % values,
            _("Case %(number)s is being handled. %(when)s Follow it here: %(link)s") % values,
        )
    if step == "solution_approved":
        solution = _approved_solution(case)
        values["solution"] = str(getattr(solution, "description", "") or "").strip() or "-"
        return (
            _("[%(number)s] Our solution for you") % values,
            _(
                "Dear customer,\n\nFor your case %(number)s “%(title)s” we have decided on this solution:\n\n"
                "%(solution)s\n\nWe are now carrying it out and will let you know when it is done.\n\n"
                "Follow the case here:\n%(link)s"
            )
            % values,
            _("Case %(number)s: a solution has been decided and is being carried out. Details: %(link)s") % values,
        )
    if step == "confirmed":
        return (
            _("[%(number)s] Thank you") % values,
            _(
                "Dear customer,\n\nThank you for confirming the solution for case %(number)s “%(title)s”, and for "
                "your patience. A colleague will call you shortly to hear how satisfied you are.\n\n%(link)s"
            )
            % values,
            _("Thank you for confirming the solution for case %(number)s.") % values,
        )
    if step == "closed":
        return (
            _("[%(number)s] Your case is closed") % values,
            _(
                "Dear customer,\n\nCase %(number)s “%(title)s” is now closed. Thank you for helping us improve "
                "our service; if anything is still open for you, just reply to this e-mail.\n\n%(link)s"
            )
            % values,
            _("Case %(number)s is closed. Thank you for your trust.") % values,
        )
    return None


def _notify_customers(step: str, cases: Sequence[Any]) -> None:
    """Tell the customer of each case about `step` by e-mail and SMS: one read of the contacts, one
    of the outbox and one INSERT for all the cases published together."""
    with translation.override(settings.LANGUAGE_CODE):
        texts = [(case, _customer_texts(step, case)) for case in cases]
    contacts = _contacts([case for case, told in texts if told is not None])
    quiet_end = quiet_until(timezone.now())
    messages, emails = [], {}
    for case, told in texts:
        if told is None:
            continue
        subject, body, sms = told
        key = f"case-{case.pk}-{step}-v{case.version}"
        contact = contacts.get(case.pk)
        email = OutboxMessage(
            channel=Channel.EMAIL,
            recipient=_customer_email(case, contact),
            subject=subject,
            body=body,
            dedupe_key=f"{key}-email",
        )
        text = OutboxMessage(
            channel=Channel.SMS, recipient=_customer_mobile(case, contact), body=sms, dedupe_key=f"{key}-sms"
        )
        if case.severity != MAJOR_SEVERITY:
            text.next_attempt_at = quiet_end or text.next_attempt_at
        messages += [email, text]
        emails[email.dedupe_key] = case
    events.publish_many(
        "notify.case_email.queued",
        [
            {
                "case": emails[m.dedupe_key],
                "recipient": m.recipient,
                "subject": m.subject,
                "body": m.body,
                "message_id": outbox_message_id(m.dedupe_key or ""),
            }
            for m in messages_enqueue_many(messages)
            if m.dedupe_key in emails
        ],
    )


def _customer_step(step: str) -> Callable[[Sequence[Mapping[str, Any]]], None]:
    def handler(payloads: Sequence[Mapping[str, Any]]) -> None:
        _notify_customers(step, [payload["case"] for payload in payloads])

    handler.__name__ = f"on_case_{step}"
    return handler


CUSTOMER_STEPS = ("received", "judged_invalid", "judged_valid", "solution_approved", "confirmed", "closed")
on_case_step = {step: _customer_step(step) for step in CUSTOMER_STEPS}


def _note(user: Any, *, key: str, render: Callable[[], tuple[str, str]], link: str) -> StaffNote | None:
    """The news for one staff member, written in their own language."""
    if user is None:
        return None
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        subject, body = render()
    return StaffNote(user=user, subject=subject, body=body, link=link, dedupe_key=f"{key}-u{user.pk}")


def _tell(user: Any, *, key: str, render: Callable[[], tuple[str, str]], link: str) -> None:
    """Tell one staff member, in the app and by e-mail."""
    if note := _note(user, key=key, render=render, link=link):
        staff_notify_many([note])


def escalation_recipients(level: int) -> list[User]:
    """Who hears of a case at each level: 1 the CS supervisors, 2 the CS manager and the marketing
    director, 3 the general manager."""
    users = User.objects.filter(is_active=True)
    if level <= 0:
        return []
    if level == 1:
        users = users.filter(role=Role.SUPERVISOR, department__is_customer_service=True)
    elif level == 2:
        users = users.filter(role__in=(Role.CS_MANAGER, Role.MARKETING_DIRECTOR))
    else:
        users = users.filter(role=Role.GENERAL_MANAGER)
    return list(users.order_by("pk"))


def _case_path(case: Any) -> str:
    return f"/cases/{case.pk}/"


def _case_values(case: Any, user: Any, **extra: Any) -> dict[str, Any]:
    return {
        "number": case.number,
        "title": case.title,
        "link": settings.KEFU_BASE_URL + _case_path(case),
        "name": str(user),
        **extra,
    }


def on_clocks_warning(payloads: Sequence[Mapping[str, Any]]) -> None:
    """Time limits are near: tell each case's assignee (no assignee yet: the CS supervisors)."""
    supervisors = escalation_recipients(1)
    notes = []
    for payload in payloads:
        case, clock = payload["case"], payload["clock"]
        recipients = [case.assignee] if getattr(case, "assignee", None) is not None else supervisors
        for user in recipients:

            def render(user: Any = user, case: Any = case, clock: Any = clock) -> tuple[str, str]:
                values = _case_values(case, user, clock=clock.get_metric_display(), due=_when(clock.due_at))
                return (
                    _("[%(number)s] Due soon: %(clock)s by %(due)s") % values,
                    _(
                        "Hello %(name)s,\n\nCase %(number)s “%(title)s” must reach “%(clock)s” by %(due)s. "
                        "Please act before the time limit passes."
                    )
                    % values,
                )

            key = f"case-{case.pk}-clock-{clock.pk}-warn-{clock.due_at:%Y%m%d%H%M}"
            notes.append(_note(user, key=key, render=render, link=_case_path(case)))
    staff_notify_many([note for note in notes if note is not None])


def on_cases_escalated(payloads: Sequence[Mapping[str, Any]]) -> None:
    """Cases went one management level up: tell the people at each new level."""
    recipients = {level: escalation_recipients(level) for level in {int(p["case"].escalation_level) for p in payloads}}
    notes = []
    for payload in payloads:
        case, clock = payload["case"], payload.get("clock")
        level = int(case.escalation_level)
        for user in recipients[level]:

            def render(user: Any = user, case: Any = case, clock: Any = clock) -> tuple[str, str]:
                values = _case_values(
                    case,
                    user,
                    level=case.get_escalation_level_display(),
                    clock=clock.get_metric_display() if clock is not None else "-",
                )
                return (
                    _("[%(number)s] Escalated to you: %(title)s") % values,
                    _(
                        "Hello %(name)s,\n\nCase %(number)s “%(title)s” has passed its time limit (%(clock)s) "
                        "and is escalated to %(level)s. Please take it in hand."
                    )
                    % values,
                )

            notes.append(_note(user, key=f"case-{case.pk}-escalated-l{level}", render=render, link=_case_path(case)))
    staff_notify_many([note for note in notes if note is not None])


def on_case_assigned(*, case: Any, actor: Any = None, **_payload: Any) -> None:
    """A case was given to someone (judged, accepted or assigned): tell them, unless they did it themselves."""
    user = getattr(case, "assignee", None)
    if user is None or (actor is not None and actor.pk == user.pk):
        return

    def render() -> tuple[str, str]:
        values = _case_values(case, user, by=str(actor or _("Kefu")))
        return (
            _("[%(number)s] Assigned to you: %(title)s") % values,
            _("Hello %(name)s,\n\n%(by)s gave you case %(number)s “%(title)s”.") % values,
        )

    _tell(user, key=f"case-{case.pk}-v{case.version}-assigned", render=render, link=_case_path(case))


def on_solution_proposed(*, case: Any, actor: Any = None, **_payload: Any) -> None:
    """A solution waits for approval: tell the CS supervisors (the approvers of first resort)."""
    for user in escalation_recipients(1):

        def render(user: Any = user) -> tuple[str, str]:
            values = _case_values(case, user, by=str(actor or _("Kefu")))
            return (
                _("[%(number)s] A solution waits for your approval") % values,
                _("Hello %(name)s,\n\n%(by)s proposed a solution for case %(number)s “%(title)s”.") % values,
            )

        _tell(user, key=f"case-{case.pk}-v{case.version}-proposed", render=render, link=_case_path(case))


def _on_customer_pushback(reason: str) -> Callable[..., None]:
    def handler(*, case: Any, **_payload: Any) -> None:
        """The customer objected, rejected the solution or appealed: the owner and the supervisors hear."""
        recipients = {u.pk: u for u in escalation_recipients(max(int(case.escalation_level), 1))}
        if getattr(case, "assignee", None) is not None:
            recipients[case.assignee.pk] = case.assignee
        for user in recipients.values():

            def render(user: Any = user) -> tuple[str, str]:
                values = _case_values(case, user, what=_(reason))
                return (
                    _("[%(number)s] %(what)s") % values,
                    _("Hello %(name)s,\n\nCase %(number)s “%(title)s”: %(what)s.") % values,
                )

            _tell(user, key=f"case-{case.pk}-v{case.version}-pushback", render=render, link=_case_path(case))

    return handler


CUSTOMER_PUSHBACK = {
    "objected": gettext_noop("The customer objects to the judgement"),
    "rejected_by_customer": gettext_noop("The customer rejected the solution"),
    "appealed": gettext_noop("The customer appealed"),
}


def subscribe_case_notifications() -> None:
    """Called from NotifyConfig.ready()."""
    for step, handler in on_case_step.items():
        events.subscribe_many(f"tickets.case.{step}", handler)
    events.subscribe_many("tickets.clock.warning", on_clocks_warning)
    events.subscribe_many("tickets.case.escalated", on_cases_escalated)
    for step in ("judged_valid", "accepted", "assigned"):
        events.subscribe(f"tickets.case.{step}", on_case_assigned)
    events.subscribe("tickets.case.solution_proposed", on_solution_proposed)
    for step, reason in CUSTOMER_PUSHBACK.items():
        events.subscribe(f"tickets.case.{step}", _on_customer_pushback(reason))
