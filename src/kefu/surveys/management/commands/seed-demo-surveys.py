"""`manage.py seed-demo-surveys`: fill the satisfaction surveys of the demo company once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.surveys.demo import seed_demo_surveys


class Command(BaseCommand):
    help = "Send the demo company's satisfaction surveys and load answers, unless surveys exist already."

    def handle(self, *args: Any, **options: Any) -> None:
        made = seed_demo_surveys()
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo surveys loaded: {made} responses."))
        else:
            self.stdout.write("Demo surveys already loaded (or no demo customers): nothing changed.")
