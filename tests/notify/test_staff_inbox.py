"""Staff hear in the app (the bell) and by e-mail: assignments, approvals, pushback, warnings, escalations."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from kefu.accounts.models import Role
from kefu.notify.models import Channel, OutboxMessage, StaffNotification
from kefu.tickets.models import CaseClock
from kefu.tickets.services import case_assign, case_receive, clocks_sweep
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.KEFU_BASE_URL = "https://kefu.example.test"


def _case(title="查询运单"):
    return case_receive(
        actor=None,
        data={
            "kind": "inquiry",
            "title": title,
            "description": "运单没有更新",
            "channel": "hotline",
            "caller_name": "王先生",
        },
    )


def _inbox(user):
    return list(StaffNotification.objects.filter(recipient=user).order_by("id"))


def test_an_assignment_reaches_the_assignee_in_the_app_and_by_email(people):
    case = _case()
    case_assign(actor=people["supervisor"], case=case, assignee=people["agent"])

    [note] = _inbox(people["agent"])
    assert case.number in note.subject and note.link == f"/cases/{case.pk}/" and note.read_at is None
    [mail] = OutboxMessage.objects.filter(channel=Channel.EMAIL, recipient=people["agent"].email)
    assert mail.subject == note.subject
    assert f"https://kefu.example.test/cases/{case.pk}/" in mail.body


def test_taking_a_case_yourself_tells_nobody(people):
    case_assign(actor=people["agent"], case=_case(), assignee=people["agent"])
    assert _inbox(people["agent"]) == []


def test_staff_without_an_email_address_still_see_it_in_the_app(people, departments):
    quiet = make_user("quiet_supervisor", Role.SUPERVISOR, departments["cs"])
    quiet.email = ""
    quiet.save(update_fields=["email"])
    case = _case()
    clock = CaseClock.objects.filter(case=case).order_by("due_at").first()
    CaseClock.objects.filter(case=case).exclude(pk=clock.pk).update(stopped_at=clock.started_at)
    with time_machine.travel(clock.due_at + dt.timedelta(seconds=1), tick=False):
        assert clocks_sweep()["escalated"] == 1
        clocks_sweep()  # a second sweep tells nobody again

    [note] = _inbox(quiet)
    assert case.number in note.subject
    assert len(_inbox(people["supervisor"])) == 1
    assert not OutboxMessage.objects.filter(recipient="").exists()


def test_the_bell_counts_unread_and_opening_one_marks_it_read_and_goes_to_the_case(people, client_for):
    case = _case()
    case_assign(actor=people["supervisor"], case=case, assignee=people["agent"])
    client = client_for("agent")

    home = client.get("/notifications/")
    html = home.content.decode()
    assert home.status_code == 200 and case.number in html
    assert 'data-testid="notification-bell"' in html and "text-bg-danger" in html

    [note] = _inbox(people["agent"])
    opened = client.get(f"/notifications/{note.pk}/")
    assert (opened.status_code, opened["Location"]) == (302, f"/cases/{case.pk}/")
    note.refresh_from_db()
    assert note.read_at is not None
    assert case.number not in client.get("/notifications/").content.decode()  # unread only by default
    assert case.number in client.get("/notifications/", {"show": "all"}).content.decode()


def test_nobody_opens_someone_elses_notification(people, client_for):
    case_assign(actor=people["supervisor"], case=_case(), assignee=people["agent"])
    [note] = _inbox(people["agent"])
    assert client_for("agent_other").get(f"/notifications/{note.pk}/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read(people, client_for):
    for title in ("一", "二"):
        case_assign(actor=people["supervisor"], case=_case(title), assignee=people["agent"])
    response = client_for("agent").post("/notifications/read/")
    assert response.status_code == 302
    assert all(n.read_at for n in _inbox(people["agent"]))


def test_the_api_lists_and_marks_only_the_callers_notifications(people, client_for):
    for title in ("一", "二"):
        case_assign(actor=people["supervisor"], case=_case(title), assignee=people["agent"])
    case_assign(actor=people["supervisor"], case=_case("别人的"), assignee=people["agent_other"])
    client = client_for("agent")

    listed = client.get("/api/v1/notifications", {"unread": "true"}).json()
    assert listed["count"] == 2
    first = listed["items"][0]["id"]
    others = [n.pk for n in _inbox(people["agent_other"])]
    response = client.post(
        "/api/v1/notifications/read", json.dumps({"ids": [first, *others]}), content_type="application/json"
    )
    assert response.json() == {"marked": 1, "unread": 1}
    assert all(n.read_at is None for n in _inbox(people["agent_other"]))
    bad = client.post("/api/v1/notifications/read", json.dumps({"ids": "all"}), content_type="application/json")
    assert bad.status_code == 422
