"""`seed-demo-standards` loads two approved versions once; the newer one is in force."""

from __future__ import annotations

from django.core.management import call_command
from django.utils import timezone

from kefu.standards import selectors
from kefu.standards.demo import seed_demo_standards
from kefu.standards.models import ItemTarget, Standard


def test_demo_standards_load_once(db):
    call_command("seed-demo", "--customers", "10")
    assert seed_demo_standards() == 2
    assert seed_demo_standards() == 0
    call_command("seed-demo-standards")
    assert Standard.objects.filter(status="approved").count() == 2
    in_force = selectors.standard_in_force(timezone.localdate())
    assert in_force is not None and in_force.version_no == 2
    assert in_force.items.count() == 11
    first, second = (
        ItemTarget.objects.get(
            item__standard__version_no=n, item__indicator__code="complaint_rate", customer_type="private"
        )
        for n in (1, 2)
    )
    assert second.target < first.target  # lower is better: the new target is tighter
