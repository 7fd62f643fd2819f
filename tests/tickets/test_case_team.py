"""Each case keeps its customer's service team (the agents' scope filters on it): set at receipt and
when an unknown caller is matched, and moved with the customer when the customer changes team."""

from __future__ import annotations

from kefu.customers.models import Customer
from kefu.customers.services import change_request_approve, change_request_submit, customer_update
from kefu.tickets.models import Case
from kefu.tickets.selectors import cases_visible
from kefu.tickets.services import case_match_customer


def _team_of(case: Case) -> int | None:
    return Case.objects.values_list("team_id", flat=True).get(pk=case.pk)


def test_a_case_carries_its_customers_team_from_receipt(receive, teams):
    assert _team_of(receive()) == teams["cs_east"].pk
    assert _team_of(receive(customer=None, caller_name="李先生", caller_phone="13900001111")) is None


def test_matching_an_unknown_caller_gives_the_case_the_customers_team(staff, receive, customer, teams):
    case = receive(actor="cs_manager", customer=None, caller_name="李先生", caller_phone="13900001111")
    case_match_customer(actor=staff["supervisor"], case=case, customer=customer)
    assert _team_of(case) == teams["cs_east"].pk
    assert case.pk not in set(cases_visible(staff["agent_other"]).values_list("pk", flat=True))


def test_when_the_customer_moves_team_its_cases_move_and_the_other_teams_agents_see_them(
    staff, receive, customer, teams
):
    case = receive(actor="cs_manager")  # nobody's own case: only the team decides who sees it
    assert case.pk in set(cases_visible(staff["agent"]).values_list("pk", flat=True))
    customer_update(
        actor=staff["cs_manager"], customer=customer, version=customer.version, data={"team": teams["cs_south"]}
    )
    assert _team_of(case) == teams["cs_south"].pk
    assert case.pk not in set(cases_visible(staff["agent"]).values_list("pk", flat=True))
    assert case.pk in set(cases_visible(staff["agent_other"]).values_list("pk", flat=True))


def test_an_approved_change_request_of_team_moves_the_cases_too(staff, receive, customer, teams):
    case = receive(actor="cs_manager")
    request = change_request_submit(
        actor=staff["general_manager"], customer=customer, changes={"team": teams["cs_south"].pk}, reason="划转华南组"
    )
    assert _team_of(case) == teams["cs_east"].pk  # nothing moves before the change is verified
    change_request_approve(actor=staff["cs_manager"], request=request, verification_method="phone_callback")
    assert Customer.objects.get(pk=customer.pk).team_id == teams["cs_south"].pk
    assert _team_of(case) == teams["cs_south"].pk


def test_a_customer_change_that_keeps_the_team_leaves_the_cases_alone(staff, receive, customer, teams):
    case = receive(actor="cs_manager")
    customer_update(actor=staff["cs_manager"], customer=customer, version=customer.version, data={"city": "无锡"})
    assert _team_of(case) == teams["cs_east"].pk
