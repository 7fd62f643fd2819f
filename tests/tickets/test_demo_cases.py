"""`seed-demo-cases` fills the cases module of the demo company once, through the real services."""

from __future__ import annotations

from django.core.management import call_command

from kefu.tickets.choices import CaseStatus
from kefu.tickets.demo import seed_demo_cases
from kefu.tickets.models import Case


def test_demo_cases_load_once_and_cover_the_loop(db):
    call_command("seed-demo", "--customers", "60")
    assert seed_demo_cases(count=40) == 40
    assert seed_demo_cases(count=40) == 0
    statuses = set(Case.objects.values_list("status", flat=True))
    assert CaseStatus.RECEIVED in statuses and len(statuses) >= 4
    assert Case.objects.filter(clocks__isnull=False).exists()
