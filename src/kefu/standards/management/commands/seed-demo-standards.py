"""`manage.py seed-demo-standards`: the demo company's service standards, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.standards.demo import seed_demo_standards


class Command(BaseCommand):
    help = "Load two approved versions of the demo company's 客户服务标准单, unless standards exist already."

    def handle(self, *args: Any, **options: Any) -> None:
        made = seed_demo_standards()
        if made:
            self.stdout.write(self.style.SUCCESS(f"Demo service standards loaded: {made} versions."))
        else:
            self.stdout.write("Demo service standards already loaded (or no demo staff): nothing changed.")
