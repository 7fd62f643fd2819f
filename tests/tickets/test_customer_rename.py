"""A renamed customer's cases are found by the new name, not the old one: the case's search words
carry its customer's name, and they follow a rename (directly or through a verified change request)."""

from __future__ import annotations

from kefu.customers.services import change_request_approve, change_request_submit, customer_update
from kefu.tickets import services
from kefu.tickets.selectors import case_queue


def _found(user, q: str) -> set[int]:
    return set(case_queue(user=user, queue="all", q=q).values_list("pk", flat=True))


def test_a_renamed_customers_cases_are_found_by_the_new_name(
    staff, receive, customer, django_capture_on_commit_callbacks
):
    cases = {receive().pk, receive().pk}
    assert _found(staff["cs_manager"], "华东货运") == cases

    with django_capture_on_commit_callbacks(execute=True):
        customer_update(
            actor=staff["cs_manager"],
            customer=customer,
            version=customer.version,
            data={"name": "江南云链物流有限公司"},
        )

    assert _found(staff["cs_manager"], "云链物流") == cases
    assert _found(staff["cs_manager"], "华东货运") == set()
    assert _found(staff["cs_manager"], "货物破损") == cases  # the cases' own words stay


def test_an_approved_rename_request_reindexes_the_cases_too(
    staff, receive, customer, django_capture_on_commit_callbacks
):
    case = receive()
    request = change_request_submit(
        actor=staff["general_manager"], customer=customer, changes={"name": "江南云链物流有限公司"}, reason="工商更名"
    )
    assert _found(staff["cs_manager"], "云链物流") == set()  # nothing changes before it is verified

    with django_capture_on_commit_callbacks(execute=True):
        change_request_approve(actor=staff["cs_manager"], request=request, verification_method="phone_callback")

    assert _found(staff["cs_manager"], "云链物流") == {case.pk}


def test_reindexing_rewrites_every_chunk(staff, receive, customer, monkeypatch):
    monkeypatch.setattr("kefu.tickets.services.evidence.REINDEX_CHUNK", 2)
    cases = {receive().pk for _ in range(5)}
    customer.name = "江南云链物流有限公司"
    customer.save(update_fields=["name"])

    assert services.cases_reindex_customer(customer_id=customer.pk) == 5
    assert _found(staff["cs_manager"], "云链物流") == cases


def test_a_change_that_keeps_the_name_reindexes_nothing(staff, receive, customer, django_capture_on_commit_callbacks):
    receive()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        customer_update(actor=staff["cs_manager"], customer=customer, version=customer.version, data={"city": "无锡"})
    assert callbacks == []
