"""The case page shows the messages exchanged with the customer, the evidence files (served only to
people who may see the case) and the shipment the case names; staff attach files from it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kefu.core.models import AuditEvent
from kefu.tickets.models import Attachment
from kefu.tickets.services import attachment_add, case_add_message
from tests.operations.conftest import order_data
from tests.tickets.conftest import PNG, upload

pytestmark = pytest.mark.usefixtures("media")


def test_messages_and_evidence_are_on_the_case_page(staff, receive, client_for):
    case = receive()
    case_add_message(
        actor=None,
        case=case,
        direction="in",
        channel="email",
        body="外箱压坏了三箱，请尽快处理。",
        sender="li@example.cn",
    )
    case_add_message(actor=staff["agent"], case=case, direction="out", channel="sms", body="已受理，今天内回复您。")
    photo = attachment_add(actor=None, case=case, upload=upload("破损照片.png"))

    page = client_for("agent").get(reverse("tickets:detail", args=[case.pk])).content.decode()

    assert "外箱压坏了三箱，请尽快处理。" in page and "li@example.cn" in page
    assert "已受理，今天内回复您。" in page
    assert "破损照片.png" in page
    assert reverse("tickets:attachment", args=[case.pk, photo.pk]) in page
    assert "/media/" not in page


def test_a_file_is_served_to_whoever_sees_the_case_and_to_nobody_else(staff, receive, client_for):
    case = receive()
    photo = attachment_add(actor=None, case=case, upload=upload("破损照片.png"))
    pdf = attachment_add(actor=None, case=case, upload=upload("签收单.pdf", b"%PDF-1.4 test", "application/pdf"))
    sheet = attachment_add(
        actor=None,
        case=case,
        upload=upload("清单.xlsx", b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    agent = client_for("agent")

    response = agent.get(reverse("tickets:attachment", args=[case.pk, photo.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Security-Policy"] == "sandbox"
    assert agent.get(reverse("tickets:attachment", args=[case.pk, pdf.pk]))["Content-Disposition"].startswith("inline")
    download = agent.get(reverse("tickets:attachment", args=[case.pk, sheet.pk]))
    assert download["Content-Disposition"].startswith("attachment")

    # Another team's agent and another department's manager do not see the case, nor its files.
    for outsider in ("agent_other", "dept_manager"):
        assert client_for(outsider).get(reverse("tickets:attachment", args=[case.pk, photo.pk])).status_code == 404
    other_case = receive()
    assert agent.get(reverse("tickets:attachment", args=[other_case.pk, photo.pk])).status_code == 404


def test_staff_attach_several_files_from_the_page(staff, receive, client_for):
    case = receive()
    response = client_for("agent").post(
        reverse("tickets:attach", args=[case.pk]),
        {"file": [upload("现场1.png"), upload("现场2.png")]},
    )
    assert response.status_code == 302
    assert sorted(case.attachments.values_list("name", flat=True)) == ["现场1.png", "现场2.png"]
    assert set(case.attachments.values_list("uploaded_by__username", flat=True)) == {"agent"}
    assert AuditEvent.objects.filter(action="tickets.case.attachment_added", subject_id=str(case.pk)).count() == 2


def test_a_refused_file_is_explained_and_nothing_is_kept(staff, receive, client_for):
    case = receive()
    client = client_for("agent")
    response = client.post(
        reverse("tickets:attach", args=[case.pk]),
        {"file": [upload("现场.png"), upload("setup.exe", b"MZ", "application/x-msdownload")]},
    )
    assert response.status_code == 400
    assert "setup.exe" in response.content.decode()
    assert not Attachment.objects.exists()

    assert client.post(reverse("tickets:attach", args=[case.pk]), {}).status_code == 400


def test_the_21st_file_is_refused_and_the_batch_is_not_half_kept(staff, receive, client_for):
    case = receive()
    for i in range(19):
        attachment_add(actor=None, case=case, upload=upload(f"{i}.png"))
    response = client_for("agent").post(
        reverse("tickets:attach", args=[case.pk]), {"file": [upload("a.png"), upload("b.png")]}
    )
    assert response.status_code == 400
    assert case.attachments.count() == 19


def test_who_may_not_work_on_the_case_gets_no_upload_form_and_cannot_post(staff, receive, client_for):
    case = receive()
    assert client_for("agent_other").post(reverse("tickets:attach", args=[case.pk]), {}).status_code == 404
    manager = client_for("general_manager")  # sees every case, works on none
    page = manager.get(reverse("tickets:detail", args=[case.pk])).content.decode()
    assert 'data-testid="attach"' not in page
    assert manager.post(reverse("tickets:attach", args=[case.pk]), {"file": [upload()]}).status_code == 403
    assert not Attachment.objects.exists()


def test_the_shipment_the_case_names_is_linked_from_the_case_page(staff, receive, client_for, customer):
    from kefu.operations import services as operations

    van = operations.vehicle_save(actor=None, data={"plate": "沪A12345", "vehicle_type": "van", "capacity_kg": 1000})
    driver = operations.driver_save(actor=None, data={"name": "王师傅", "phone": "13700002222", "vehicle": van})
    order = operations.order_create(actor=None, data=order_data(customer))
    shipment = operations.order_dispatch(actor=None, order=order, vehicle=van, driver=driver)
    named = receive(order_number=shipment.number)
    unnamed = receive(order_number="YD0000000000")
    agent = client_for("agent")

    page = agent.get(reverse("tickets:detail", args=[named.pk])).content.decode()
    assert reverse("operations:shipment", args=[shipment.pk]) in page
    assert shipment.get_status_display() in page
    assert (
        'data-testid="case-shipments"' not in agent.get(reverse("tickets:detail", args=[unnamed.pk])).content.decode()
    )
