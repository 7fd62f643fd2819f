"""How a case reads to the customer: plain status words, the loop as progress steps, and a history
that names no staff and shows no internal notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import pgettext_lazy

from kefu.tickets.choices import CaseKind, CaseStatus, SolutionKind

STEPS: list[Any] = [
    pgettext_lazy("portal step", "Received"),
    pgettext_lazy("portal step", "Checked"),
    pgettext_lazy("portal step", "Accepted"),
    pgettext_lazy("portal step", "Investigating"),
    pgettext_lazy("portal step", "Solution"),
    pgettext_lazy("portal step", "Done"),
    pgettext_lazy("portal step", "Followed up"),
    pgettext_lazy("portal step", "Closed"),
]

# status → (index of the step reached, short label, sentence for the customer)
STATUS_WORDS: dict[str, tuple[int, Any, Any]] = {
    CaseStatus.RECEIVED: (
        0,
        pgettext_lazy("portal status", "Received"),
        pgettext_lazy("portal status", "We have received your case. Customer service will check it shortly."),
    ),
    CaseStatus.INVALID: (
        1,
        pgettext_lazy("portal status", "Not upheld"),
        pgettext_lazy(
            "portal status",
            "After checking, we could not confirm the problem. Our explanation is below; "
            "if you disagree, tell us why and a supervisor will look at it again.",
        ),
    ),
    CaseStatus.ASSIGNED: (
        1,
        pgettext_lazy("portal status", "Passed to the responsible department"),
        pgettext_lazy("portal status", "We have checked your case and passed it to the department that can solve it."),
    ),
    CaseStatus.INVESTIGATING: (
        3,
        pgettext_lazy("portal status", "Being investigated"),
        pgettext_lazy("portal status", "The responsible department is looking into what happened."),
    ),
    CaseStatus.AWAITING_APPROVAL: (
        3,
        pgettext_lazy("portal status", "Preparing a solution"),
        pgettext_lazy("portal status", "We are deciding on the best solution for you."),
    ),
    CaseStatus.IMPLEMENTING: (
        4,
        pgettext_lazy("portal status", "Solution being carried out"),
        pgettext_lazy("portal status", "We are carrying out the solution described below."),
    ),
    CaseStatus.AWAITING_CONFIRMATION: (
        4,
        pgettext_lazy("portal status", "Please confirm the solution"),
        pgettext_lazy("portal status", "We have carried out the solution below. Please tell us whether you accept it."),
    ),
    CaseStatus.RESOLVED: (
        5,
        pgettext_lazy("portal status", "Resolved"),
        pgettext_lazy("portal status", "Thank you for accepting the solution. We will call you to hear how it went."),
    ),
    CaseStatus.FOLLOWED_UP: (
        6,
        pgettext_lazy("portal status", "Followed up"),
        pgettext_lazy("portal status", "Thank you for your feedback on our follow-up call."),
    ),
    CaseStatus.CLOSED: (
        7,
        pgettext_lazy("portal status", "Closed"),
        pgettext_lazy("portal status", "This case is closed. If you are not satisfied, you can still appeal."),
    ),
}

KIND_WORDS: dict[str, Any] = {
    CaseKind.COMPLAINT: pgettext_lazy("portal kind", "Complaint"),
    CaseKind.SUGGESTION: pgettext_lazy("portal kind", "Suggestion"),
    CaseKind.INQUIRY: pgettext_lazy("portal kind", "Question"),
    CaseKind.SERVICE_REQUEST: pgettext_lazy("portal kind", "Service request"),
}

SOLUTION_WORDS: dict[str, Any] = {
    SolutionKind.COMPENSATION: pgettext_lazy("portal solution", "Compensation"),
    SolutionKind.REDELIVERY: pgettext_lazy("portal solution", "Redelivery"),
    SolutionKind.REFUND: pgettext_lazy("portal solution", "Refund"),
    SolutionKind.REPAIR: pgettext_lazy("portal solution", "Repair"),
    SolutionKind.APOLOGY: pgettext_lazy("portal solution", "Apology"),
    SolutionKind.OTHER: pgettext_lazy("portal solution", "Other"),
}

# Audit actions the customer may see, with their own wording; every other event stays internal.
HISTORY_LABELS: dict[str, Any] = {
    "tickets.case.received": pgettext_lazy("portal history", "We received your case"),
    "tickets.case.judged_invalid": pgettext_lazy("portal history", "Checked: not upheld, explanation given"),
    "tickets.case.judged_valid": pgettext_lazy("portal history", "Checked and passed to the responsible department"),
    "tickets.case.objected": pgettext_lazy("portal history", "You disagreed; the case was reopened"),
    "tickets.case.accepted": pgettext_lazy("portal history", "The responsible department took the case on"),
    "tickets.case.solution_approved": pgettext_lazy("portal history", "A solution was decided"),
    "tickets.case.implemented": pgettext_lazy("portal history", "The solution was carried out"),
    "tickets.case.confirmed": pgettext_lazy("portal history", "You accepted the solution"),
    "tickets.case.rejected_by_customer": pgettext_lazy("portal history", "You did not accept the solution"),
    "tickets.case.followed_up": pgettext_lazy("portal history", "Follow-up call made"),
    "tickets.case.closed": pgettext_lazy("portal history", "Case closed"),
    "tickets.case.appealed": pgettext_lazy("portal history", "You appealed; a manager will review the case"),
}


@dataclass
class Step:
    label: Any
    state: str  # "done", "current", "todo"


def progress(status: str) -> tuple[list[Step], int]:
    """The loop steps with their state, and how far along the case is in percent."""
    reached = STATUS_WORDS[status][0]
    finished = status == CaseStatus.CLOSED
    steps = [
        Step(label, "done" if i < reached or (finished and i == reached) else "current" if i == reached else "todo")
        for i, label in enumerate(STEPS)
    ]
    return steps, round(100 * (reached + 1) / len(STEPS))


def status_words(status: str) -> tuple[Any, Any]:
    _index, label, sentence = STATUS_WORDS[status]
    return label, sentence
