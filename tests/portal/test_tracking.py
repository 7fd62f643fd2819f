"""The customer's case page: what it shows, what it hides, and the answers it takes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.tickets import services
from kefu.tickets.models import Case, CaseMessage
from tests.portal.conftest import MOBILE, receive

pytestmark = pytest.mark.django_db

INTERNAL = ("INTERNAL-NOTE", "INTERNAL-PENALTY", "INTERNAL-ROOT", "装卸野蛮", "transport_clerk", "supervisor")


def page(client, case: Case, **kwargs):
    return client.get(f"/portal/track/{case.tracking_code}/", **kwargs)


def act(client, case: Case, action: str, data=None):
    return client.post(f"/portal/track/{case.tracking_code}/{action}/", data or {})


def test_unknown_tracking_code_is_404(client):
    assert client.get("/portal/track/no-such-code/").status_code == 404
    assert client.post("/portal/track/no-such-code/accept/").status_code == 404


def test_a_new_case_shows_received_and_the_first_step(client):
    case = receive()
    response = page(client, case)
    html = response.content.decode()
    assert response.status_code == 200
    assert case.number in html
    assert "已受理" in html
    assert 'aria-current="step"' in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert "navbar" not in html


def test_the_page_hides_internal_notes_and_staff_names(client, loop):
    case = loop(receive(), "closed")
    services.case_add_message(
        actor=None, case=case, direction="out", channel="email", body="您好，赔款已到账。", sender="supervisor"
    )
    html = page(client, case).content.decode()
    assert "已结案" in html
    assert "按货值赔偿并重新发货" in html  # the approved solution
    assert "赔款已到账" in html
    assert "客服" in html
    for secret in INTERNAL:
        assert secret not in html, secret
    assert "核实属实" not in html  # a valid judgement is internal; only a 不成立 explanation is shown


def test_accepting_the_solution_resolves_the_case(client, loop):
    case = loop(receive(), "awaiting_confirmation")
    html = page(client, case).content.decode()
    assert 'data-testid="form-accept"' in html and 'data-testid="form-reject"' in html
    assert "200" in html  # compensation amount
    response = act(client, case, "accept", {"note": "谢谢"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.resolved_at is not None
    assert "已解决" in client.get(response["Location"]).content.decode()


def test_rejecting_needs_a_reason_and_sends_the_case_back(client, loop):
    case = loop(receive(), "awaiting_confirmation")
    empty = act(client, case, "reject", {"note": "  "})
    assert empty.status_code == 400
    case.refresh_from_db()
    assert case.status == "awaiting_confirmation"
    assert act(client, case, "reject", {"note": "赔偿太少"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reopen_count) == ("investigating", 1)


def test_objecting_to_not_valid_reopens_for_the_supervisor(client, people):
    case = receive()
    services.case_judge(actor=people["supervisor"], case=case, valid=False, note="经核查，货物签收时完好。")
    html = page(client, case).content.decode()
    assert "经核查，货物签收时完好。" in html  # the courteous explanation is for the customer
    assert 'data-testid="form-object"' in html
    assert act(client, case, "object", {"reason": ""}).status_code == 400
    assert act(client, case, "object", {"reason": "签收时就有破损，有照片"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reopen_count, case.escalation_level) == ("received", 1, 1)


@pytest.mark.parametrize("until", ["resolved", "followed_up", "closed"])
def test_appeal_after_the_result_goes_one_level_up(client, loop, until):
    case = loop(receive(), until)
    assert 'data-testid="form-appeal"' in page(client, case).content.decode()
    assert act(client, case, "appeal", {"reason": "对结果不满意"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.appeal_count) == ("investigating", 1)
    assert case.escalation_level >= 1


def test_steps_not_allowed_now_are_refused_with_409(client):
    case = receive()
    html = page(client, case).content.decode()
    assert 'data-testid="form-accept"' not in html and 'data-testid="form-appeal"' not in html
    for action, data in [
        ("accept", {}),
        ("reject", {"note": "x"}),
        ("appeal", {"reason": "x"}),
        ("object", {"reason": "x"}),
    ]:
        assert act(client, case, action, data).status_code == 409, action
    case.refresh_from_db()
    assert case.status == "received"
    assert client.post(f"/portal/track/{case.tracking_code}/explode/").status_code == 404
    assert client.get(f"/portal/track/{case.tracking_code}/accept/").status_code == 405


def test_the_customer_adds_a_message_and_files(client, settings):
    case = receive()
    photo = SimpleUploadedFile("补充.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    response = client.post(f"/portal/track/{case.tracking_code}/message/", {"body": "补充一张照片", "uploads": [photo]})
    assert response.status_code == 302
    message = CaseMessage.objects.get(case=case)
    assert (message.direction, message.channel, message.sender) == ("in", "portal", "李女士")
    assert [a.name for a in case.attachments.all()] == ["补充.png"]
    html = page(client, case).content.decode()
    assert "补充一张照片" in html and "补充.png" in html


def test_an_empty_message_or_a_bad_file_is_refused(client):
    case = receive()
    assert act(client, case, "message", {"body": " "}).status_code == 400
    bad = SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(f"/portal/track/{case.tracking_code}/message/", {"body": "看附件", "uploads": [bad]})
    assert response.status_code == 400
    assert CaseMessage.objects.count() == 0 and case.attachments.count() == 0


def test_answers_on_the_page_are_rate_limited(client):
    from kefu.portal import ratelimit

    case = receive()
    for _ in range(ratelimit.LIMITS["act"][0].count):
        act(client, case, "message", {"body": "在吗"})
    assert act(client, case, "message", {"body": "在吗"}).status_code == 429


def test_tracking_shows_the_callers_mobile_nowhere(client):
    html = page(client, receive()).content.decode()
    assert MOBILE not in html


def test_the_pages_speak_english_when_chosen(client):
    from django.conf import settings

    case = receive()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Tell us what happened" in client.get("/portal/").content.decode()
    html = page(client, case).content.decode()
    assert 'lang="en"' in html and "Received" in html and "已受理" not in html
