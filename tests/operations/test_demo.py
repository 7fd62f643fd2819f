"""`seed-demo-operations` fills the operations module of the demo company once."""

from __future__ import annotations

from django.core.management import call_command

from kefu.operations.demo import seed_demo_operations
from kefu.operations.models import Claim, Order, Shipment, ShipmentException, TrackingEvent
from kefu.tickets.models import Case


def test_demo_operations_load_once_and_cover_the_records(db):
    call_command("seed-demo", "--customers", "60")
    assert seed_demo_operations(history=50, recent=24) == 74
    assert seed_demo_operations(history=50, recent=24) == 0
    assert Order.objects.count() == 74
    assert Shipment.objects.filter(status="delivered").count() == 50
    assert TrackingEvent.objects.count() >= 250
    assert set(Order.objects.values_list("status", flat=True)) >= {"delivered", "dispatched", "held"}
    exception = ShipmentException.objects.first()
    assert exception is not None and Case.objects.filter(number=exception.case_number).exists()
    assert set(Claim.objects.values_list("status", flat=True)) >= {"claimed", "paid"}
    call_command("seed-demo-operations")  # the command is idempotent too
    assert Order.objects.count() == 74
