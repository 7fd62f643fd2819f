"""The cases API: the whole closed loop over HTTP with Bearer tokens, refusals as JSON, webhooks admin."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.accounts.models import Role
from kefu.core.models import NumberSequence
from kefu.notify.models import OutboxMessage
from kefu.tickets.models import Case, Category, SlaPolicy, SlaTarget
from kefu.tickets.services import category_save, sla_target_save
from tests.conftest import make_user
from tests.customers.factories import bearer

pytestmark = pytest.mark.django_db

API = "/api/v1/cases"


@pytest.fixture
def transport_lead(departments, people):
    """Someone in the transport department, the usual owner of damaged goods."""
    return make_user("transport_lead", Role.AGENT, departments["transport"])


@pytest.fixture
def api(client, people, transport_lead):
    """api("agent").post(path, payload) → (status, json); one token per persona."""
    users = {**people, "transport_lead": transport_lead}
    tokens: dict[str, dict[str, str]] = {}

    class As:
        def __init__(self, name: str) -> None:
            self.headers = tokens.setdefault(name, bearer(users[name]))

        def get(self, path: str, **params):
            response = client.get(path, params, **self.headers)
            return response.status_code, response.json()

        def post(self, path: str, payload: dict | None = None):
            response = client.post(path, json.dumps(payload or {}), content_type="application/json", **self.headers)
            return response.status_code, response.json() if response.content else None

        def upload(self, path: str, upload: SimpleUploadedFile):
            response = client.post(path, {"file": upload}, **self.headers)
            return response.status_code, response.json()

        def delete(self, path: str):
            response = client.delete(path, **self.headers)
            return response.status_code, response.json() if response.content else None

    return As


def _complaint(archive, **overrides):
    payload = {
        "kind": "complaint",
        "nature": "hard",
        "title": "货物破损，外箱压坏",
        "description": "客户收货时发现三箱货物外包装破损，内件受潮。",
        "customer_id": archive["east"].pk,
        "contact_id": archive["east"].contacts.get().pk,
        "category_id": Category.objects.get(code="damage").pk,
        "order_number": "YD20260302001",
    }
    payload.update(overrides)
    return payload


def test_the_whole_loop_through_the_api(api, archive, departments, people, transport_lead):
    agent, supervisor, lead = api("agent"), api("supervisor"), api("transport_lead")

    status, case = agent.post(API, _complaint(archive))
    assert status == 201, case
    pk = case["id"]
    assert case["number"].startswith("TS-")
    assert (case["status"], case["channel"], case["kind"], case["nature"]) == ("received", "api", "complaint", "hard")
    assert case["department_id"] == departments["transport"].pk  # the category's usual department
    assert {c["metric"] for c in case["clocks"]} >= {"report", "first_response", "second_response", "resolution"}
    assert all(c["due_at"] and c["breached"] is False and c["state"] == "running" for c in case["clocks"])
    assert case["next_due"] == min(c["due_at"] for c in case["clocks"])
    assert [e["action"] for e in case["timeline"]] == ["tickets.case.received"]

    status, case = agent.post(
        f"{API}/{pk}/judge",
        {
            "valid": True,
            "note": "情况属实，转运输配送部处理",
            "department_id": departments["transport"].pk,
            "assignee_id": transport_lead.pk,
            "expected_answer_at": "2026-03-05T18:00:00",
        },
    )
    assert (status, case["status"], case["assignee_id"]) == (200, "assigned", transport_lead.pk)
    assert case["expected_answer_at"].startswith("2026-03-05T")

    status, case = lead.post(f"{API}/{pk}/accept")
    assert (status, case["status"]) == (200, "investigating")
    status, case = lead.post(
        f"{API}/{pk}/investigate",
        {
            "cause": "装车时堆码过高",
            "responsible_department_id": departments["transport"].pk,
            "responsible_person_id": transport_lead.pk,
            "investigation_notes": "司机未按规范堆码",
        },
    )
    assert (status, case["cause"], case["responsible_person_id"]) == (200, "装车时堆码过高", transport_lead.pk)

    status, small = agent.post(
        f"{API}/{pk}/solutions", {"kind": "compensation", "description": "赔偿货损", "compensation_amount": "800.00"}
    )
    assert (status, small["status"]) == (201, "proposed")
    status, large = agent.post(
        f"{API}/{pk}/solutions", {"kind": "compensation", "description": "全额赔偿", "compensation_amount": "8000"}
    )
    assert status == 201
    status, error = supervisor.post(f"{API}/{pk}/solutions/{large['id']}/approve")
    assert (status, error["code"]) == (403, "forbidden")  # 8000 needs the CS manager or higher
    status, error = agent.post(f"{API}/{pk}/solutions/{small['id']}/approve")
    assert status == 403
    status, approved = supervisor.post(f"{API}/{pk}/solutions/{small['id']}/approve")
    assert (status, approved["status"], approved["decided_by_id"]) == (200, "approved", people["supervisor"].pk)

    status, case = lead.post(f"{API}/{pk}/implement", {"note": "已赔付800元", "penalty": "司机罚款200元"})
    assert (status, case["status"], case["penalty"]) == (200, "awaiting_confirmation", "司机罚款200元")
    status, case = agent.post(f"{API}/{pk}/confirm", {"accepted": True, "note": "客户电话确认接受"})
    assert (status, case["status"]) == (200, "resolved")
    assert any(c["metric"] == "follow_up" and c["state"] == "running" for c in case["clocks"])
    status, case = agent.post(f"{API}/{pk}/follow-up", {"satisfaction": "satisfied", "note": "满意"})
    assert (status, case["status"], case["satisfaction"]) == (200, "followed_up", "satisfied")

    close = {"root_cause": "堆码不规范", "lesson": "装车前检查堆码高度", "for_case_library": True}
    status, error = agent.post(f"{API}/{pk}/close", close)
    assert (status, error["code"]) == (403, "forbidden")  # closing is for the supervisor
    status, case = supervisor.post(f"{API}/{pk}/close", close)
    assert (status, case["status"], case["for_case_library"]) == (200, "closed", True)
    assert case["closed_at"] is not None
    assert {s["id"]: s["status"] for s in case["solutions"]} == {small["id"]: "approved", large["id"]: "not_chosen"}

    status, case = agent.post(f"{API}/{pk}/appeal", {"reason": "客户认为赔偿不足"})
    assert (status, case["status"], case["appeal_count"]) == (200, "investigating", 1)

    status, case = agent.get(f"{API}/{pk}")
    assert status == 200
    # newest first
    assert [e["action"].removeprefix("tickets.case.") for e in reversed(case["timeline"])] == [
        "received",
        "judged_valid",
        "accepted",
        "investigated",
        "solution_proposed",
        "solution_proposed",
        "solution_approved",
        "implemented",
        "confirmed",
        "followed_up",
        "closed",
        "appealed",
    ]
    assert all(e["label"] and e["actor"] for e in case["timeline"])


def test_judged_not_valid_then_the_customer_objects(api, archive):
    agent, supervisor = api("agent"), api("supervisor")
    _, case = agent.post(API, _complaint(archive, nature="soft", category_id=None, title="服务态度差"))
    status, case = agent.post(f"{API}/{case['id']}/judge", {"valid": False, "note": "经核实，司机按规定操作。"})
    assert (status, case["status"]) == (200, "invalid")
    assert all(c["stopped_at"] for c in case["clocks"])
    status, case = agent.post(f"{API}/{case['id']}/object", {"reason": "客户不认可"})
    assert (status, case["status"], case["reopen_count"], case["escalation_level"]) == (200, "received", 1, 1)
    status, error = api("admin").post(f"{API}/{case['id']}/bounce", {"reason": "x"})
    assert (status, error["code"], error["field"]) == (409, "conflict", "status")
    status, error = supervisor.post(f"{API}/{case['id']}/bounce", {"reason": "x"})
    assert (status, error["code"]) == (403, "forbidden")  # bouncing is for the responsible department


def test_steps_in_the_wrong_state_answer_409_json(api, archive):
    """A freshly received case: every later step is refused as a conflict, even for the administrator."""
    agent, admin = api("agent"), api("admin")
    _, case = agent.post(API, _complaint(archive))
    pk = case["id"]
    for path, payload in [
        ("accept", {}),
        ("implement", {"note": "x"}),
        ("confirm", {"accepted": True}),
        ("follow-up", {"satisfaction": "satisfied"}),
        ("appeal", {"reason": "x"}),
        ("object", {"reason": "x"}),
    ]:
        status, error = admin.post(f"{API}/{pk}/{path}", payload)
        assert (status, error["code"], error["field"]) == (409, "conflict", "status"), path
        assert error["detail"]
    status, error = admin.post(f"{API}/{pk}/close", {"root_cause": "a", "lesson": "b"})
    assert status == 409


def test_wrong_role_answers_403(api, archive, transport_lead):
    """The transport department may not receive or judge cases; an agent may not approve."""
    status, error = api("transport_lead").post(API, _complaint(archive))
    assert (status, error["code"]) == (403, "forbidden")
    _, case = api("agent").post(API, _complaint(archive))
    status, error = api("transport_lead").post(f"{API}/{case['id']}/judge", {"valid": True, "note": "x"})
    assert status == 403  # the department sees its cases but does not judge them


def test_bad_input_names_the_field(api, archive):
    agent = api("agent")
    cases = [
        (_complaint(archive, customer_id=999_999), 400, "customer_id"),
        (_complaint(archive, contact_id=999_999), 400, "contact_id"),
        (_complaint(archive, category_id=999_999), 400, "category_id"),
        (_complaint(archive, request_type_id=999_999), 400, "request_type_id"),
        (_complaint(archive, nature=None), 400, "nature"),
        (_complaint(archive, kind="rumour"), 422, "kind"),
        (_complaint(archive, title=""), 422, "title"),
        (_complaint(archive, caller_email="not-an-email"), 422, "caller_email"),
        ({k: v for k, v in _complaint(archive).items() if k != "description"}, 422, "description"),
        (_complaint(archive, customer_id=None, contact_id=None), 400, "customer"),
    ]
    for payload, expected_status, field in cases:
        status, error = agent.post(API, payload)
        assert (status, error["field"]) == (expected_status, field), (payload, error)
        assert error["detail"]

    _, case = agent.post(API, _complaint(archive, category_id=None))
    pk = case["id"]
    status, error = agent.post(f"{API}/{pk}/judge", {"valid": True, "note": "属实", "department_id": 999_999})
    assert (status, error["field"]) == (400, "department_id")
    status, error = agent.post(f"{API}/{pk}/judge", {"valid": True, "note": "属实", "assignee_id": 999_999})
    assert (status, error["field"]) == (400, "assignee_id")
    case_row = agent.get(f"{API}/{pk}")[1]
    assert case_row["department_id"] is None
    status, error = agent.post(f"{API}/{pk}/judge", {"valid": True, "note": "属实"})
    assert (status, error["field"]) == (400, "department")
    status, error = agent.post(f"{API}/{pk}/judge", {"valid": True, "note": "  ", "department_id": 1})
    assert (status, error["field"]) == (400, "note")
    status, error = agent.post(f"{API}/{pk}/assign", {"assignee_id": 999_999})
    assert (status, error["field"]) == (400, "assignee_id")
    status, error = agent.post(f"{API}/{pk}/messages", {"direction": "sideways", "body": "x"})
    assert (status, error["field"]) == (422, "direction")


def test_unknown_or_hidden_cases_answer_404(api, archive):
    _, case = api("agent").post(API, _complaint(archive))
    for path in ("/999999", "/999999/judge", "/999999/solutions/1/approve"):
        response = api("agent").post(API + path, {"valid": True, "note": "x"}) if path != "/999999" else None
        status, error = response or api("agent").get(API + path)
        assert (status, error["code"]) == (404, "not_found"), path
    # the south team's agent does not see the east customer's case
    status, error = api("agent_other").get(f"{API}/{case['id']}")
    assert status == 404
    status, error = api("agent_other").post(f"{API}/{case['id']}/judge", {"valid": False, "note": "x"})
    assert status == 404
    status, error = api("supervisor").post(f"{API}/{case['id']}/solutions/999999/approve")
    assert status == 404


def test_unauthenticated_requests_answer_401(client):
    response = client.get(API)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_queues_filters_and_keyword_search(api, archive, people):
    agent = api("agent")
    _, damaged = agent.post(API, _complaint(archive))
    _, inquiry = agent.post(
        API,
        {
            "kind": "inquiry",
            "title": "查询运单到货时间",
            "description": "客户问何时到货",
            "customer_id": archive["east"].pk,
        },
    )
    _, page = agent.get(API, queue="open")
    assert page["count"] == 2
    first = page["items"][0]
    assert set(first) >= {
        "number",
        "kind",
        "nature",
        "status",
        "severity",
        "priority",
        "title",
        "customer_id",
        "department_id",
        "assignee_id",
        "escalation_level",
        "received_at",
        "next_due",
    }
    assert first["id"] == damaged["id"]  # the earliest deadline first
    assert [c["id"] for c in agent.get(API, kind="inquiry")[1]["items"]] == [inquiry["id"]]
    assert [c["id"] for c in agent.get(API, q="破损")[1]["items"]] == [damaged["id"]]
    assert agent.get(API, queue="mine")[1]["count"] == 0
    agent.post(f"{API}/{inquiry['id']}/assign", {"assignee_id": people["agent"].pk})
    assert [c["id"] for c in agent.get(API, queue="mine")[1]["items"]] == [inquiry["id"]]
    assert [c["id"] for c in agent.get(API, queue="unassigned")[1]["items"]] == [damaged["id"]]
    assert agent.get(API, customer_id=archive["south"].pk)[1]["count"] == 0
    status, error = agent.get(API, queue="everything")
    assert (status, error["field"]) == (422, "queue")
    status, error = agent.get(API, page_size=10_000)
    assert (status, error["field"]) == (422, "page_size")


def test_unknown_caller_is_matched_to_a_customer(api, archive):
    agent = api("agent")
    status, case = agent.post(
        API, {"kind": "inquiry", "title": "来电咨询", "description": "陌生来电", "caller_name": "王先生"}
    )
    assert (status, case["customer_id"]) == (201, None)
    status, error = agent.post(f"{API}/{case['id']}/match-customer", {"customer_id": 999_999})
    assert (status, error["field"]) == (400, "customer_id")
    status, error = agent.post(
        f"{API}/{case['id']}/match-customer",
        {"customer_id": archive["south"].pk, "contact_id": archive["east"].contacts.get().pk},
    )
    assert (status, error["field"]) == (400, "contact")
    status, matched = agent.post(
        f"{API}/{case['id']}/match-customer",
        {"customer_id": archive["east"].pk, "contact_id": archive["east"].contacts.get().pk},
    )
    assert (status, matched["customer_id"]) == (200, archive["east"].pk)


def test_waiting_for_the_customer_pauses_and_a_message_resumes(api, archive):
    agent = api("agent")
    _, case = agent.post(API, _complaint(archive))
    status, case = agent.post(f"{API}/{case['id']}/wait", {"waiting": True, "note": "等客户提供照片"})
    assert (status, case["waiting_for_customer"]) == (200, True)
    assert all(c["state"] == "paused" for c in case["clocks"])
    assert case["next_due"] is None
    assert [c["id"] for c in agent.get(API, queue="waiting")[1]["items"]] == [case["id"]]

    status, message = agent.post(
        f"{API}/{case['id']}/messages", {"direction": "in", "channel": "email", "body": "照片已发送", "subject": "回复"}
    )
    assert (status, message["direction"], message["channel"]) == (201, "in", "email")
    status, case = agent.get(f"{API}/{case['id']}")
    assert case["waiting_for_customer"] is False
    assert all(c["state"] == "running" for c in case["clocks"])
    assert [m["body"] for m in case["messages"]] == ["照片已发送"]
    status, case = agent.post(f"{API}/{case['id']}/wait", {"waiting": False})
    assert status == 200


def test_attachments_are_uploaded_as_multipart(api, archive, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agent = api("agent")
    _, case = agent.post(API, _complaint(archive))
    status, attachment = agent.upload(
        f"{API}/{case['id']}/attachments", SimpleUploadedFile("签收单.txt", "破损三箱".encode(), "text/plain")
    )
    assert (status, attachment["name"], attachment["content_type"]) == (201, "签收单.txt", "text/plain")
    status, error = agent.upload(
        f"{API}/{case['id']}/attachments", SimpleUploadedFile("run.exe", b"MZ", "application/x-msdownload")
    )
    assert (status, error["field"]) == (400, "file")
    assert [a["name"] for a in agent.get(f"{API}/{case['id']}")[1]["attachments"]] == ["签收单.txt"]
    status, error = api("agent_other").upload(
        f"{API}/{case['id']}/attachments", SimpleUploadedFile("a.txt", b"x", "text/plain")
    )
    assert status == 404


def test_categories_and_sla_policies_are_listed(api):
    status, categories = api("agent").get(f"{API}/categories")
    assert status == 200
    assert {"运输延误", "货物破损", "其他"} <= {c["name"] for c in categories}
    status, policies = api("agent").get(f"{API}/sla-policies")
    hard = next(p for p in policies if p["nature"] == "hard")
    assert {"metric": "first_response", "severity": "", "minutes": 60, "round_the_clock": False} in hard["targets"]


def test_webhook_subscriptions_are_managed_by_the_cs_manager(api):
    manager, agent = api("cs_manager"), api("agent")
    payload = {"name": "ERP", "url": "https://93.184.215.14/kefu", "events": ["tickets.case.*"]}
    status, error = agent.post("/api/v1/webhooks", payload)
    assert (status, error["code"]) == (403, "forbidden")
    assert agent.get("/api/v1/webhooks")[0] == 403

    status, created = manager.post("/api/v1/webhooks", payload)
    assert status == 201
    assert len(created["secret"]) == 64
    status, listed = manager.get("/api/v1/webhooks")
    assert (status, [w["id"] for w in listed]) == (200, [created["id"]])
    assert "secret" not in listed[0]

    status, error = manager.post("/api/v1/webhooks", {**payload, "url": "file:///etc/passwd"})
    assert (status, error["field"]) == (400, "url")
    status, error = manager.post("/api/v1/webhooks", {**payload, "url": "http://169.254.169.254/latest/meta-data"})
    assert (status, error["field"]) == (400, "url")
    assert "169.254.169.254" in error["detail"]
    status, error = manager.post("/api/v1/webhooks", {**payload, "events": ["no spaces allowed"]})
    assert (status, error["field"]) == (400, "events")

    assert agent.delete(f"/api/v1/webhooks/{created['id']}")[0] == 403
    assert manager.delete(f"/api/v1/webhooks/{created['id']}")[0] == 204
    assert manager.delete(f"/api/v1/webhooks/{created['id']}")[0] == 404


def test_receiving_a_case_costs_a_fixed_number_of_statements(api, archive, django_assert_max_num_queries):
    """Intake reads no configuration once warm (policies, targets, calendar, categories, webhooks are
    cached per process) and writes each table once: token, customer, contact, number, case, clocks,
    search tokens, customer flag, outbox (read + one INSERT for e-mail and SMS), the e-mail kept on
    the case, one audit INSERT for all three events; the 201 body reads back only the messages (the
    clocks and timeline are in hand). In a test the transaction is a savepoint, counted here too."""
    agent = api("agent")
    assert agent.post(API, _complaint(archive))[0] == 201  # warms the per-process configuration
    payload = _complaint(archive, order_number="YD20260302002", caller_email="zhangwei@example.test")
    with django_assert_max_num_queries(15) as captured:
        status, case = agent.post(API, payload)
    assert status == 201, case
    statements = [q["sql"] for q in captured.captured_queries]
    assert sum(s.startswith('INSERT INTO "core_auditevent"') for s in statements) == 1
    assert not any("slapolicy" in s or "calendarday" in s or "tickets_category" in s for s in statements)
    assert len(case["clocks"]) == 4 and len(case["timeline"]) == 2 and len(case["messages"]) == 1
    assert agent.get(f"{API}/{case['id']}") == (200, case)  # built in hand, yet what reading it back gives


def test_changed_configuration_applies_to_the_next_case_at_once(api, archive, people):
    """The per-process cache of time limits and categories is dropped when a manager saves one."""
    agent, manager = api("agent"), people["cs_manager"]

    def report_due(case):
        return next(dt.datetime.fromisoformat(c["due_at"]) for c in case["clocks"] if c["metric"] == "report")

    first = agent.post(API, _complaint(archive))[1]
    policy = SlaPolicy.objects.get(name="硬性投诉")
    minutes = SlaTarget.objects.get(policy=policy, metric="report", severity="").minutes
    sla_target_save(actor=manager, policy=policy, data={"metric": "report", "severity": "", "minutes": minutes + 600})
    second = agent.post(API, _complaint(archive, order_number="YD20260302002"))[1]
    assert report_due(second) > report_due(first)

    damage = Category.objects.get(code="damage")
    category_save(actor=manager, category=damage, data={"is_active": False})
    status, body = agent.post(API, _complaint(archive, order_number="YD20260302003"))
    assert (status, body["field"]) == (400, "category_id")


# --- a batch of cases -----------------------------------------------------------------------------


def _suggestion(**overrides):
    payload = {
        "kind": "suggestion",
        "title": "建议增加夜间派送",
        "description": "晚上八点后也能送货就好了",
        "caller_name": "李先生",
    }
    payload.update(overrides)
    return payload


def test_a_batch_is_received_as_each_case_would_be(api, archive):
    """Numbers per kind in order, clocks, the customer flagged once per complaint, told by e-mail and
    SMS, the e-mail kept on the case, found by search: what POST /cases does, for every case."""
    agent = api("agent")
    east = archive["east"]
    batch = [
        _complaint(archive, caller_email="zhangwei@example.test"),
        _suggestion(),
        _complaint(archive, title="司机态度恶劣", nature="soft", order_number="YD20260302009", category_id=None),
    ]
    status, body = agent.post(f"{API}/batch", {"cases": batch})
    assert status == 201, body
    received = body["cases"]
    assert [c["title"] for c in received] == [item["title"] for item in batch]
    first, second, third = (c["number"] for c in received)
    assert first.startswith("TS-") and second.startswith("JY-") and third.startswith("TS-")
    assert int(third.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1
    assert all(c["tracking_code"] and c["status"] == "received" for c in received)

    for item, summary in zip(batch, received, strict=True):
        status, case = agent.get(f"{API}/{summary['id']}")
        assert status == 200
        assert case["clocks"] and case["next_due"] == min(c["due_at"] for c in case["clocks"])
        assert [e["action"] for e in case["timeline"]][-1] == "tickets.case.received"
        assert (case["customer_id"], case["order_number"]) == (item.get("customer_id"), item.get("order_number", ""))
    complaint = agent.get(f"{API}/{received[0]['id']}")[1]
    assert [m["direction"] for m in complaint["messages"]] == ["out"]  # the e-mail to 张伟, kept

    east.refresh_from_db()
    assert east.complaint_count == 2
    outbox = OutboxMessage.objects.filter(dedupe_key__startswith=f"case-{received[0]['id']}-received")
    assert sorted(outbox.values_list("channel", "recipient")) == [
        ("email", "zhangwei@example.test"),
        ("sms", "13812345678"),  # the contact's mobile
    ]
    assert not OutboxMessage.objects.filter(dedupe_key__startswith=f"case-{received[1]['id']}-")  # nobody to write to
    status, found = agent.get(API, q="态度恶劣", queue="all")
    assert [c["number"] for c in found["items"]] == [third]


def test_a_batch_with_refused_cases_receives_none_and_names_each(api, archive):
    agent = api("agent")
    cases_before, numbers_before = Case.objects.count(), NumberSequence.objects.count()
    batch = [
        _complaint(archive),
        _complaint(archive, customer_id=999_999),
        _complaint(archive, nature=None),
        _suggestion(),
    ]
    status, body = agent.post(f"{API}/batch", {"cases": batch})
    assert status == 400, body
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, "customer_id"), (2, "nature")]
    assert "2" in body["detail"] and "4" in body["detail"]
    assert (Case.objects.count(), NumberSequence.objects.count()) == (cases_before, numbers_before)


def test_a_batch_is_bounded_and_needs_the_right_to_receive_cases(api, archive):
    agent = api("agent")
    status, body = agent.post(f"{API}/batch", {"cases": []})
    assert (status, body["field"]) == (422, "cases")
    status, body = agent.post(f"{API}/batch", {"cases": [_suggestion()] * 101})
    assert (status, body["field"]) == (422, "cases")
    status, body = api("dept_manager").post(f"{API}/batch", {"cases": [_suggestion()]})
    assert (status, body["code"]) == (403, "forbidden")
    assert not Case.objects.exists()


def test_a_batch_costs_the_same_statements_for_twenty_cases_or_fifty(api, archive, django_assert_max_num_queries):
    """One statement per table, not per case: compared by kind of statement, as SQLite splits a long
    INSERT into chunks of 999 values, and PostgreSQL writes the rows of a batch of 20 or more cases
    with COPY, which the capture does not see (only the one statement taking their ids)."""
    agent = api("agent")

    def batch(size: int) -> list[dict]:
        return [_complaint(archive, order_number=f"YD2026030{i:04d}") if i % 2 else _suggestion() for i in range(size)]

    def statements(size: int) -> set[str]:
        cases = batch(size)
        with django_assert_max_num_queries(20) as captured:
            status, body = agent.post(f"{API}/batch", {"cases": cases})
        assert status == 201 and len(body["cases"]) == size
        kinds = {re.sub(r"(SAVEPOINT|VALUES|WHERE|SET|\().*", "", q["sql"]) for q in captured.captured_queries}
        return kinds - {'INSERT INTO "core_searchtoken" '}

    agent.post(f"{API}/batch", {"cases": batch(2)})  # warms the per-process configuration, opens the day's counters
    assert statements(50) == statements(20)
