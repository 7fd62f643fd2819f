"""Steps of the loop that need someone's hand put a notification in their inbox."""

from __future__ import annotations

import pytest

from kefu.notify.models import StaffNotification
from kefu.tickets.services import case_confirm

pytestmark = pytest.mark.django_db


def _subjects(user) -> list[str]:
    return list(StaffNotification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True))


def test_accepting_with_an_assignee_tells_the_assignee(staff, receive, walk):
    case = walk(receive(), "accepted")
    assert any(case.number in s for s in _subjects(staff["transport_member"]))


def test_a_proposed_solution_asks_the_supervisors_for_approval(staff, receive, walk):
    case = walk(receive(), "proposed")
    assert sum(case.number in s for s in _subjects(staff["supervisor"])) == 1


def test_a_customer_rejecting_the_solution_tells_the_owner(staff, receive, walk):
    case = walk(receive(), "implemented")
    before = len(_subjects(staff["transport_member"]))
    case_confirm(actor=staff["agent"], case=case, accepted=False, note="赔偿太少")
    assert len(_subjects(staff["transport_member"])) == before + 1
