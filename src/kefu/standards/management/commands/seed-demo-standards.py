"""`manage.py seed-demo-standards`: the demo company's service standards, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.standards.demo import seed_demo_standards
from kefu.standards.services import kpi_snapshots_refresh


class Command(BaseCommand):
    help = (
        "Load two approved versions of the demo company's 客户服务标准单, unless standards exist already, and "
        "store the KPI figures of the periods the KPI page offers."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        made = seed_demo_standards()
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo service standards loaded: {made} versions."))
        else:
            self.stdout.write("Demo service standards already loaded (or no demo staff): nothing changed.")
        # What the worker's periodic job keeps up to date, measured here (no worker runs while seeding): the
        # KPI page opens on stored figures at once.
        measured = kpi_snapshots_refresh(inline=True)
        if measured:
            self.stdout.write(self.style.SUCCESS(f"KPI figures stored for {', '.join(measured)}."))
