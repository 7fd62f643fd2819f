"""Queue page actions: bulk assignment and priority override."""

from __future__ import annotations

from kefu.tickets.models import Case
from kefu.tickets.services import case_receive
from tests.customers.factories import make_customer


def _case(customer, title):
    return case_receive(
        actor=None,
        data={"kind": "inquiry", "title": title, "description": title, "channel": "hotline", "customer": customer},
    )


def test_bulk_assign_assigns_only_the_ticked_cases_the_user_may_see(people, teams, client_for):
    east, south = make_customer(team=teams["cs_east"]), make_customer(team=teams["cs_south"])
    mine, other, hidden = _case(east, "一"), _case(east, "二"), _case(south, "三")
    response = client_for("agent").post(
        "/cases/bulk-assign/", {"case": [mine.pk, hidden.pk], "assignee": people["agent"].pk, "next": "/cases/"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=mine.pk).assignee == people["agent"]
    assert Case.objects.get(pk=other.pk).assignee is None
    assert Case.objects.get(pk=hidden.pk).assignee is None  # outside the agent's team: untouched


def test_priority_override_needs_a_reason_and_is_kept(people, teams, client_for):
    case = _case(make_customer(team=teams["cs_east"]), "加急")
    client = client_for("supervisor")
    assert client.post(f"/cases/{case.pk}/priority/", {"priority": 1, "reason": ""}).status_code == 400
    assert client.post(f"/cases/{case.pk}/priority/", {"priority": 1, "reason": "大客户"}).status_code == 302
    case.refresh_from_db()
    assert (case.priority, case.priority_overridden) == (1, True)


def test_queue_lists_open_cases_with_the_next_deadline(people, teams, client_for):
    _case(make_customer(team=teams["cs_east"]), "查询运单")
    response = client_for("agent").get("/cases/", {"queue": "open"})
    assert response.status_code == 200
    assert [c.title for c in response.context["page"]] == ["查询运单"]
    assert response.context["page"][0].next_due_at is not None
