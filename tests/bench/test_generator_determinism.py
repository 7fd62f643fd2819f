"""The same seed, scale and `now` give the same rows."""

from __future__ import annotations

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction

from bench.data import Plan, generate
from kefu.operations.models import Shipment, ShipmentException, TrackingEvent
from kefu.surveys.models import Response
from kefu.tickets.models import Case
from kefu.visits.models import VisitTask
from tests.bench.conftest import NOW, quiet


def _digest() -> dict[str, list[tuple[object, ...]]]:
    return {
        "cases": list(
            Case.objects.order_by("pk").values_list("number", "title", "description", "status", "received_at")
        ),
        "shipments": list(
            Shipment.objects.order_by("number").values_list(
                "number", "customer_id", "order__goods", "order__origin", "dispatched_at", "delivered_at", "on_time"
            )
        ),
        "events": list(
            TrackingEvent.objects.order_by("shipment__number", "occurred_at").values_list(
                "shipment__number", "kind", "occurred_at", "place", "informed_at"
            )
        ),
        "exceptions": list(
            ShipmentException.objects.order_by("number").values_list("number", "shipment__number", "case_number")
        ),
        "visits": list(
            VisitTask.objects.order_by("customer_id", "rule_id", "occasion").values_list(
                "customer_id", "rule__code", "occasion", "due_at", "status", "outcome", "completed_at"
            )
        ),
        "responses": list(
            Response.objects.order_by("pk").values_list("customer_id", "submitted_at", "index_score", "comment")
        ),
    }


def _restart_ids() -> None:
    """PostgreSQL does not roll sequences back: start the ids again where a fresh database starts them
    (visits are spread over their period by customer id)."""
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)


def test_same_seed_same_rows(db):
    runs = []
    for _ in range(2):
        with transaction.atomic():
            _restart_ids()
            generate(scale="tiny", seed=7, now=NOW, log=quiet)
            runs.append(_digest())
            transaction.set_rollback(True)
    assert runs[0] == runs[1]
    assert len(runs[0]["cases"]) == Plan.for_scale("tiny").cases
    assert len(runs[0]["shipments"]) == Plan.for_scale("tiny").shipments
    # Five events a delivered shipment; those still on the road have only the events so far.
    assert 4 * len(runs[0]["shipments"]) < len(runs[0]["events"]) <= 6 * len(runs[0]["shipments"])
    assert runs[0]["exceptions"] and runs[0]["visits"] and runs[0]["responses"]
