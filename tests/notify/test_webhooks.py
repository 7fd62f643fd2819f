"""Webhooks: case events reach a real HTTP receiver as signed JSON POSTs through the outbox."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from kefu.core import events
from kefu.core.presentation import _labels as action_labels
from kefu.core.services import DomainError, PermissionDeniedError
from kefu.notify.models import Channel, MessageStatus, OutboxMessage, WebhookSubscription
from kefu.notify.services import messages_deliver_due, webhook_subscribe, webhook_unsubscribe
from kefu.notify.webhooks import EVENT_NAMES, HANDLERS, on_case_events
from kefu.tickets.services import case_assign, case_receive
from tests.customers.factories import make_customer

pytestmark = pytest.mark.django_db

SECRET = "s3cret-for-the-receiver-0123456789"


@pytest.fixture(autouse=True)
def _receivers_on_loopback(settings):
    """The test receivers listen on 127.0.0.1, a private address production refuses."""
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = True


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """An HTTP server on 127.0.0.1 recording every POST; answers `statuses` in turn, then 200."""

    hits: list[Hit] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def url(self, path: str = "/hook") -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def receiver():
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    state.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=state.server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.server.shutdown()
    state.server.server_close()
    thread.join(timeout=5)


def _subscribe(people, receiver, events_=("tickets.case.*",), path="/hook", **kwargs):
    return webhook_subscribe(
        actor=people["cs_manager"],
        name=f"ERP {path}",
        url=receiver.url(path),
        events=list(events_),
        secret=SECRET,
        **kwargs,
    )


def _receive(customer, title="货物破损，外包装压坏"):
    return case_receive(
        actor=None,
        data={
            "kind": "complaint",
            "nature": "hard",
            "title": title,
            "description": "收货时发现外箱破损",
            "channel": "hotline",
            "customer": customer,
        },
    )


def _signed(hit: Hit, secret: str = SECRET) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), hit.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(hit.headers["x-kefu-signature"], expected)


def test_case_event_is_posted_as_signed_json(people, teams, receiver):
    """The receiver gets the event as JSON, with X-Kefu-Event and an HMAC-SHA256 signature of the body."""
    subscription = _subscribe(people, receiver)
    customer = make_customer(name="华东物流测试有限公司", team=teams["cs_east"])
    case = _receive(customer)

    [queued] = OutboxMessage.objects.filter(channel=Channel.WEBHOOK)
    assert queued.webhook == subscription
    assert messages_deliver_due() == 1

    [hit] = receiver.hits
    assert hit.path == "/hook"
    assert hit.headers["content-type"].startswith("application/json")
    assert hit.headers["x-kefu-event"] == "tickets.case.received"
    assert hit.headers["x-kefu-delivery"] == str(queued.pk)
    assert _signed(hit)
    assert not _signed(hit, secret="another-secret-0000000000")
    payload = hit.json
    assert payload["event"] == "tickets.case.received"
    assert payload["case"] == {
        "id": case.pk,
        "number": case.number,
        "kind": "complaint",
        "status": "received",
        "severity": "normal",
        "title": "货物破损，外包装压坏",
        "customer": "华东物流测试有限公司",
        "received_at": case.received_at.isoformat(),
        "version": 1,
    }
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (MessageStatus.SENT, 1)
    assert messages_deliver_due() == 0
    assert len(receiver.hits) == 1


def test_wildcards_and_exact_names_choose_the_subscriptions(people, teams, receiver):
    """tickets.case.* and * match every case event; an exact name only its own event."""
    _subscribe(people, receiver, ["tickets.case.*"], path="/all-cases")
    _subscribe(people, receiver, ["*"], path="/everything")
    _subscribe(people, receiver, ["tickets.case.assigned"], path="/assigned")
    _subscribe(people, receiver, ["tickets.other.*"], path="/other")
    case = _receive(make_customer(team=teams["cs_east"]))
    case_assign(actor=people["supervisor"], case=case, assignee=people["agent"])

    assert messages_deliver_due() == 6  # five webhook POSTs and the e-mail telling the agent
    assert OutboxMessage.objects.filter(channel=Channel.WEBHOOK, status=MessageStatus.SENT).count() == 5
    seen = sorted((hit.path, hit.headers["x-kefu-event"]) for hit in receiver.hits)
    assert seen == [
        ("/all-cases", "tickets.case.assigned"),
        ("/all-cases", "tickets.case.received"),
        ("/assigned", "tickets.case.assigned"),
        ("/everything", "tickets.case.assigned"),
        ("/everything", "tickets.case.received"),
    ]
    assigned = next(hit.json for hit in receiver.hits if hit.path == "/assigned")
    assert assigned["case"]["version"] == 2
    assert assigned["actor"] == str(people["supervisor"])
    assert all(_signed(hit) for hit in receiver.hits)


def test_failing_receiver_is_retried_with_the_same_signed_body(people, teams, receiver):
    """A 500 leaves the delivery pending with the error; after the back-off it is sent again and succeeds."""
    _subscribe(people, receiver)
    receiver.statuses = [500]
    _receive(make_customer(team=teams["cs_east"]))

    assert messages_deliver_due() == 0
    [message] = OutboxMessage.objects.filter(channel=Channel.WEBHOOK)
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert "500" in message.last_error
    assert messages_deliver_due() == 0  # not due again yet
    assert len(receiver.hits) == 1

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=True):
        assert messages_deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.SENT, 2)
    first, second = receiver.hits
    assert first.body == second.body
    assert first.headers["x-kefu-delivery"] == second.headers["x-kefu-delivery"]
    assert _signed(second)


def test_unreachable_receiver_is_retried(people, teams, receiver):
    """Nobody listening: the connection error is recorded and the delivery stays pending."""
    subscription = _subscribe(people, receiver)
    receiver.server.shutdown()
    receiver.server.server_close()
    _receive(make_customer(team=teams["cs_east"]))
    assert messages_deliver_due() == 0
    [message] = OutboxMessage.objects.filter(webhook=subscription)
    assert message.status == MessageStatus.PENDING
    assert message.last_error


def test_inactive_subscriptions_get_nothing(people, teams, receiver):
    """An inactive subscription is not queued; one switched off after queueing is given up, not retried."""
    off = _subscribe(people, receiver, path="/off")
    WebhookSubscription.objects.filter(pk=off.pk).update(is_active=False)
    later = _subscribe(people, receiver, path="/later")
    _receive(make_customer(team=teams["cs_east"]))
    assert list(OutboxMessage.objects.filter(channel=Channel.WEBHOOK).values_list("webhook", flat=True)) == [later.pk]

    WebhookSubscription.objects.filter(pk=later.pk).update(is_active=False)
    assert messages_deliver_due() == 0
    assert receiver.hits == []
    message = OutboxMessage.objects.get(webhook=later)
    assert message.status == MessageStatus.FAILED
    assert message.attempts == 1


def test_unsubscribing_gives_up_waiting_deliveries(people, teams, receiver):
    subscription = _subscribe(people, receiver)
    _receive(make_customer(team=teams["cs_east"]))
    webhook_unsubscribe(actor=people["admin"], subscription=subscription)
    assert not WebhookSubscription.objects.exists()
    assert messages_deliver_due() == 0
    assert receiver.hits == []
    assert OutboxMessage.objects.get(channel=Channel.WEBHOOK).status == MessageStatus.FAILED


def test_the_same_event_on_the_same_case_version_is_queued_once(people, teams, receiver):
    subscription = _subscribe(people, receiver)
    case = _receive(make_customer(team=teams["cs_east"]))
    on_case_events("tickets.case.received", [{"case": case, "actor": None}])
    [message] = OutboxMessage.objects.filter(webhook=subscription)
    assert message.dedupe_key == f"webhook-{subscription.pk}-tickets.case.received-{case.pk}-v1"


def test_every_case_event_name_is_subscribed_and_is_a_real_tickets_action():
    """notify lists the case events by name (it may not import tickets): the names must be tickets' own."""
    assert len(EVENT_NAMES) == 20
    for name in EVENT_NAMES:
        assert HANDLERS[name] in events._batch_subscribers[name]
        assert name in action_labels, name


def test_only_admin_or_cs_manager_subscribes(people, receiver):
    for name in ("agent", "supervisor", "dept_manager"):
        with pytest.raises(PermissionDeniedError):
            webhook_subscribe(actor=people[name], name="x", url=receiver.url(), events=["*"])
    created = webhook_subscribe(actor=people["admin"], name="ERP", url=receiver.url(), events=["tickets.case.*"])
    assert len(created.secret) == 64  # generated
    with pytest.raises(PermissionDeniedError):
        webhook_unsubscribe(actor=people["agent"], subscription=created)


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({"url": "ftp://example.test/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["tickets case received"]}, "events"),
        ({"events": ["tickets.*.received"]}, "events"),
        ({"name": "  "}, "name"),
        ({"secret": "short"}, "secret"),
    ],
)
def test_bad_subscription_input_names_the_field(people, kwargs, field_name):
    values = {"name": "ERP", "url": "https://erp.example.test/hook", "events": ["tickets.case.*"], **kwargs}
    with pytest.raises(DomainError) as error:
        webhook_subscribe(actor=people["cs_manager"], **values)
    assert error.value.field == field_name


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.1.20:8080/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_private_local_or_unknown_addresses_are_refused(people, settings, url):
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = False
    with pytest.raises(DomainError) as error:
        webhook_subscribe(actor=people["cs_manager"], name="ERP", url=url, events=["tickets.case.*"], secret=SECRET)
    assert error.value.field == "url"
    assert not WebhookSubscription.objects.exists()


def test_a_public_address_is_accepted(people, settings):
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = False
    created = webhook_subscribe(
        actor=people["cs_manager"], name="ERP", url="https://93.184.215.14/hook", events=["*"], secret=SECRET
    )
    assert created.url == "https://93.184.215.14/hook"


def test_a_delivery_to_an_address_that_became_private_is_given_up(people, teams, receiver, settings):
    _subscribe(people, receiver)
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = False
    _receive(make_customer(team=teams["cs_east"]))
    messages_deliver_due()
    message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert message.status == MessageStatus.FAILED
    assert "UndeliverableError" in message.last_error and "127.0.0.1" in message.last_error
    assert receiver.hits == []


def test_the_post_goes_to_the_address_that_was_checked(people, teams, receiver, settings, monkeypatch):
    """DNS rebinding: the host is resolved once, checked, and the POST connects to that address, even
    when the name resolves a moment later to an address the check would refuse (another service)."""
    port = receiver.server.server_address[1]
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = False
    settings.KEFU_WEBHOOK_PRIVATE_NETWORKS = ["127.0.0.1/32"]
    internal = Receiver(server=ThreadingHTTPServer(("127.0.0.2", port), type(receiver.server.RequestHandlerClass)))
    answers = ["127.0.0.1", "127.0.0.1", "127.0.0.2"]  # subscribing, delivering, then the rebinding
    real_getaddrinfo = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host != "hooks.example.test":
            return real_getaddrinfo(host, *args, **kwargs)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers.pop(0) if answers else "127.0.0.2", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    webhook_subscribe(
        actor=people["cs_manager"],
        name="ERP",
        url=f"http://hooks.example.test:{port}/hook?src=kefu",
        events=["tickets.case.*"],
        secret=SECRET,
    )
    _receive(make_customer(team=teams["cs_east"]))
    thread = threading.Thread(target=internal.server.serve_forever, daemon=True)
    thread.start()
    try:
        assert messages_deliver_due() == 1
    finally:
        internal.server.shutdown()
        internal.server.server_close()
    [hit] = receiver.hits
    assert hit.path == "/hook?src=kefu"
    assert hit.headers["host"] == f"hooks.example.test:{port}"
    assert _signed(hit)
    assert answers == ["127.0.0.2"]


def test_an_address_in_the_allowed_private_networks_is_accepted(people, settings):
    settings.KEFU_WEBHOOK_ALLOW_PRIVATE = False
    settings.KEFU_WEBHOOK_PRIVATE_NETWORKS = ["10.8.0.0/16"]
    created = webhook_subscribe(
        actor=people["cs_manager"], name="ERP", url="http://10.8.3.4:8080/hook", events=["*"], secret=SECRET
    )
    assert created.url == "http://10.8.3.4:8080/hook"
    with pytest.raises(DomainError, match=r"10\.9\.0\.1"):
        webhook_subscribe(
            actor=people["cs_manager"], name="ERP2", url="http://10.9.0.1/hook", events=["*"], secret=SECRET
        )


def test_a_redirect_is_not_followed(people, teams, receiver):
    """A 3xx answer is a failed delivery, retried later: the place it points to was never checked."""
    _subscribe(people, receiver)
    receiver.statuses = [302]
    _receive(make_customer(team=teams["cs_east"]))
    assert messages_deliver_due() == 0
    message = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert message.status == MessageStatus.PENDING and "302" in message.last_error
    assert [hit.path for hit in receiver.hits] == ["/hook"]
