"""Commands run inside the peer's virtual environment (cwd: this folder, DATABASE_URL set).

    python tool.py load TICKETS.tsv     migrate, create the staff user and queue, COPY the tickets
    python tool.py fixture              print the load client's fixture as JSON (session, token, ids)
    python tool.py sweep                time `manage.py escalate_tickets` (its escalation job)

TICKETS.tsv holds Kefu's generated cases (title, description, received_at, open, priority), so
both systems hold the same number of tickets with the same texts. Each ticket gets the one
follow-up that helpdesk writes when a ticket is opened ("Ticket Opened"); the busy ticket of the
detail scenario gets 20.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parent.parent))  # the repository root, for bench.data.Writer
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.data import Writer, columns  # noqa: E402

PASSWORD = "bench-helpdesk-only"  # noqa: S105 - a throw-away bench login
BATCH = 20_000


def _staff() -> object:
    user_model = get_user_model()
    user = user_model.objects.filter(username="admin").first()
    if user is None:
        user = user_model.objects.create_superuser("admin", "admin@example.com", PASSWORD)
    return user


def load(path: str) -> None:
    from helpdesk.models import FollowUp, Queue, Ticket

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrate_s = time.perf_counter() - started
    user = _staff()
    queue, _ = Queue.objects.get_or_create(
        slug="kefu", defaults={"title": "客服", "allow_public_submission": True, "escalate_days": 3}
    )
    writer = Writer(connection)
    rng = random.Random(2026)
    next_id = writer.next_id(Ticket)
    tickets = followups = 0
    started = time.perf_counter()
    ticket_fields = columns(
        "id title queue_id created modified submitter_email assigned_to_id status on_hold description "
        "resolution priority due_date secret_key"
    )
    followup_fields = ["ticket_id", "date", "title", "comment", "public", "user_id", "new_status"]
    with open(path, encoding="utf-8") as handle, writer.bulk_load(Ticket, FollowUp):
        rows: list[tuple[object, ...]] = []
        notes: list[tuple[object, ...]] = []

        def flush() -> None:
            with transaction.atomic():
                writer.insert(Ticket, ticket_fields, rows)
                writer.insert(FollowUp, followup_fields, notes)
            rows.clear()
            notes.clear()

        for line in handle:
            title, description, received, is_open, priority = line.rstrip("\n").split("\t")
            created = dt.datetime.fromisoformat(received)
            status = Ticket.OPEN_STATUS if is_open == "t" else Ticket.CLOSED_STATUS
            due = created + dt.timedelta(days=3)
            rows.append(
                (
                    next_id,
                    title,
                    queue.pk,
                    created,
                    created,
                    "customer@example.com",
                    user.pk if rng.random() < 0.5 else None,
                    status,
                    False,
                    description,
                    "" if status == Ticket.OPEN_STATUS else "已处理",
                    min(int(priority), 5),
                    due,
                    str(uuid.UUID(int=rng.getrandbits(128))),
                )
            )
            notes.append((next_id, created, "Ticket Opened", description, True, None, None))
            next_id += 1
            if len(rows) >= BATCH:
                tickets += len(rows)
                followups += len(notes)
                flush()
        tickets += len(rows)
        followups += len(notes)
        flush()
    writer.reset_sequences(Ticket, FollowUp)
    writer.analyze()
    print(
        json.dumps(
            {
                "migrate_s": round(migrate_s, 1),
                "tickets": tickets,
                "followups": followups,
                "load_s": round(time.perf_counter() - started, 1),
            }
        )
    )


def _datatables(query: dict[str, object]) -> str:
    return "/datatables_ticket_list/" + base64.b64encode(json.dumps(query).encode()).decode("ascii")


def fixture(words: list[str]) -> None:
    from django.conf import settings
    from django.test import Client
    from helpdesk.models import FollowUp, Queue, Ticket
    from rest_framework.authtoken.models import Token

    user = _staff()
    queue = Queue.objects.get(slug="kefu")
    client = Client()
    client.force_login(user)
    token, _ = Token.objects.get_or_create(user=user)
    busy = Ticket.objects.filter(title="外箱破损内件受潮（基准测试）").first()
    if busy is None:
        busy = Ticket.objects.create(
            title="外箱破损内件受潮（基准测试）",
            queue=queue,
            submitter_email="customer@example.com",
            description="收货时三箱外包装压坏，内件受潮。客户要求赔偿。",
            priority=2,
            assigned_to=user,
        )
        for i in range(20):
            FollowUp.objects.create(
                ticket=busy, title=f"处理进展 {i + 1}", comment=f"第 {i + 1} 次跟进：已联系客户并记录。", user=user
            )
    base = {"filtering": {"status__in": [1, 2]}, "filtering_null": {}, "sorting": "created", "sortreverse": False}
    print(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "sessions": {"admin": client.cookies[settings.SESSION_COOKIE_NAME].value},
                "tokens": {"admin": token.key},
                "token_keyword": "Token",
                "queue_id": queue.pk,
                "busy_ticket_id": busy.pk,
                "datatables_open": _datatables({**base, "search_string": ""}),
                # searched over every ticket, as Kefu's search_cases scenario (queue=all)
                "datatables_search": {w: _datatables({**base, "filtering": {}, "search_string": w}) for w in words},
                "tickets": Ticket.objects.count(),
                "open_tickets": Ticket.objects.filter(status__in=[1, 2]).count(),
            },
            ensure_ascii=False,
        )
    )


def sweep() -> None:
    from helpdesk.models import Ticket

    started = time.perf_counter()
    call_command("escalate_tickets", verbosity=0)
    seconds = time.perf_counter() - started
    escalated = Ticket.objects.filter(last_escalation__gte=timezone.now() - dt.timedelta(seconds=seconds + 5)).count()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "escalated": escalated,
                "open": Ticket.objects.filter(status__in=[1, 2]).count(),
            }
        )
    )


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "load":
        load(sys.argv[2])
    elif command == "fixture":
        fixture(sys.argv[2:])
    elif command == "sweep":
        sweep()
    else:
        raise SystemExit(__doc__)
