"""A shipment exception (damage, loss, delay, wrong or missing goods) opens or links a complaint case.

operations sits below tickets and never imports it: it publishes `operations.exception.reported`
from its service, and this handler, inside the same transaction, opens a hard complaint with
the shipment number (or links the open case that already has it) and tells operations the case
number.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from kefu.operations.services import exception_link_case
from kefu.tickets import services
from kefu.tickets.choices import OPEN_STATUSES, CaseChannel, CaseKind, ComplaintNature, Severity
from kefu.tickets.models import Case

SEVERITY_BY_KIND = {"loss": Severity.SERIOUS, "damage": Severity.SERIOUS}


def on_exception_reported(*, exception: Any, shipment: Any, actor: Any, **_payload: Any) -> None:
    existing = (
        Case.objects.filter(order_number=shipment.number, kind=CaseKind.COMPLAINT, status__in=OPEN_STATUSES)
        .order_by("received_at")
        .first()
    )
    if existing is not None:
        exception_link_case(exception=exception, case_number=existing.number)
        return
    receiver = actor if actor is not None and actor.has_perm("tickets.add_case") else None
    case = services.case_receive(
        actor=receiver,
        data={
            "kind": CaseKind.COMPLAINT,
            "nature": ComplaintNature.HARD,
            "severity": SEVERITY_BY_KIND.get(exception.kind, Severity.NORMAL),
            "title": _("%(kind)s: shipment %(number)s")
            % {"kind": exception.get_kind_display(), "number": shipment.number},
            "description": exception.description,
            "channel": CaseChannel.API if exception.reporter == "customer" else CaseChannel.HOTLINE,
            "customer": shipment.customer,
            "order_number": shipment.number,
        },
        received_at=exception.reported_at,
    )
    exception_link_case(exception=exception, case_number=case.number)
