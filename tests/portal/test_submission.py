"""Submitting a case through the public form: what is kept, what is refused, and the limits."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.portal import ratelimit
from kefu.tickets.models import Attachment, Case
from kefu.tickets.services import MAX_ATTACHMENT_BYTES

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name: str = "破损.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type=content_type)


def form(**overrides):
    data = {
        "kind": "complaint_hard",
        "title": "纸箱被压坏",
        "description": "今天收到的货物外箱破损，里面的瓷器碎了两件。",
        "name": "李女士",
        "mobile": "139 1234 5678",
        "email": "li@example.test",
        "order_number": "YD20250101001",
        "website": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_form_is_a_bare_mobile_page_with_csrf_and_a_honeypot(client):
    response = client.get("/portal/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="viewport"' in html
    assert "navbar" not in html  # no staff navigation for customers
    assert "csrfmiddlewaretoken" in html
    assert 'name="website"' in html and 'aria-hidden="true"' in html
    assert 'type="file"' in html and "multiple" in html


def test_submission_creates_a_portal_case_with_the_callers_details_and_files(client):
    response = client.post("/portal/", {**form(), "uploads": [photo("一.png"), photo("二.jpg", "image/jpeg")]})
    assert response.status_code == 302
    assert response["Location"] == "/portal/submitted/"
    case = Case.objects.get()
    assert (case.channel, case.kind, case.nature, case.status) == ("portal", "complaint", "hard", "received")
    assert (case.caller_name, case.caller_phone, case.caller_email) == ("李女士", "13912345678", "li@example.test")
    assert case.order_number == "YD20250101001"
    assert case.received_by is None
    assert sorted(a.name for a in case.attachments.all()) == ["一.png", "二.jpg"]

    thanks = client.get(response["Location"])
    html = thanks.content.decode()
    assert case.number in html
    assert f"http://testserver/portal/track/{case.tracking_code}/" in html
    assert 'data-copy="#track-url"' in html


def test_every_type_maps_to_the_right_kind_and_nature(client):
    expected = {
        "complaint_soft": ("complaint", "soft"),
        "suggestion": ("suggestion", ""),
        "inquiry": ("inquiry", ""),
        "service_request": ("service_request", ""),
    }
    for choice, (kind, nature) in expected.items():
        assert client.post("/portal/", form(kind=choice, title=choice)).status_code == 302
        case = Case.objects.get(title=choice)
        assert (case.kind, case.nature) == (kind, nature)


@pytest.mark.parametrize(
    ("overrides", "files", "field", "message"),
    [
        ({"description": ""}, [], "description", "请告诉我们发生了什么"),
        ({"mobile": "12345"}, [], "mobile", "不是有效的手机号"),
        ({"mobile": "021-62345678"}, [], "mobile", "不是有效的手机号"),
        ({"kind": ""}, [], "kind", "请选择"),
        ({}, [photo("virus.exe", "application/x-msdownload")], "uploads", "virus.exe"),
        ({}, [photo(f"{i}.png") for i in range(6)], "uploads", "5"),
    ],
    ids=["no-description", "bad-mobile", "landline", "no-type", "bad-file-type", "six-files"],
)
def test_bad_input_answers_400_with_the_message_and_creates_nothing(client, overrides, files, field, message):
    response = client.post("/portal/", {**form(**overrides), "uploads": files})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert Case.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(client):
    big = SimpleUploadedFile("大.pdf", b"%PDF" + b"0" * MAX_ATTACHMENT_BYTES, content_type="application/pdf")
    response = client.post("/portal/", {**form(), "uploads": [big]})
    assert response.status_code == 400
    assert "10 MB" in " ".join(response.context["form"].errors["uploads"])
    assert Case.objects.count() == 0


def test_an_attachment_service_refusal_rolls_the_case_back(client, monkeypatch):
    """The service has the last word on files; when it refuses, the case is not kept either."""
    from kefu.core.services import DomainError
    from kefu.tickets import services

    def refuse(**kwargs):
        raise DomainError("文件被拒绝", field="file")

    monkeypatch.setattr(services, "attachment_add", refuse)
    response = client.post("/portal/", {**form(), "uploads": [photo()]})
    assert response.status_code == 400
    assert "文件被拒绝" in " ".join(response.context["form"].errors["uploads"])
    assert Case.objects.count() == 0


def test_the_honeypot_refuses_the_submission(client):
    response = client.post("/portal/", form(website="http://spam.example"))
    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert response.context["form"].non_field_errors()


def test_csrf_is_enforced(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/portal/", form())
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_submissions_are_rate_limited_per_client_ip(client):
    per_window = ratelimit.LIMITS["submit"][0].count
    for i in range(per_window):
        assert client.post("/portal/", form(title=f"第{i}次"), REMOTE_ADDR="10.0.0.1").status_code == 302
    refused = client.post("/portal/", form(title="再来一次"), REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert "请求过多" in refused.content.decode()
    assert Case.objects.count() == per_window
    # Another client is not affected; failed attempts count too (they cost the same to a robot).
    assert client.post("/portal/", form(title="别人"), REMOTE_ADDR="10.0.0.2").status_code == 302


def test_the_daily_limit_holds_across_short_windows(client, monkeypatch):
    now = [1_000_000_000.0]
    monkeypatch.setattr(ratelimit.time, "time", lambda: now[0])
    short, daily = ratelimit.LIMITS["submit"]
    sent = 0
    while sent < daily.count:
        for _ in range(short.count):
            if sent == daily.count:
                break
            assert client.post("/portal/", form(title=f"#{sent}")).status_code == 302
            sent += 1
        now[0] += short.seconds  # the next short window
    assert client.post("/portal/", form(title="over")).status_code == 429
    assert Case.objects.count() == daily.count


def test_the_thanks_page_without_a_submission_goes_back_to_the_form(client):
    response = client.get("/portal/submitted/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
