"""`manage.py seed-demo-visits`: fill the follow-up visits of the demo company once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.visits.demo import seed_demo_visits


class Command(BaseCommand):
    help = "Generate and partly record the demo company's follow-up visits, unless they exist already."

    def handle(self, *args: Any, **options: Any) -> None:
        made = seed_demo_visits()
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo visits loaded: {made} visits."))
        else:
            self.stdout.write("Demo visits already loaded (or no demo customers): nothing changed.")
