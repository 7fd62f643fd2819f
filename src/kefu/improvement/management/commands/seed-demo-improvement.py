"""`manage.py seed-demo-improvement`: a PDCA cycle with its analysis and an approved improvement plan, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.improvement.demo import seed_demo_improvement


class Command(BaseCommand):
    help = (
        "Load last month's demo PDCA cycle (analysis and an approved 客户服务改进表 in progress) unless a cycle "
        "exists already. Run after seed-demo-standards."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if seed_demo_improvement():
            self.stdout.write(self.style.SUCCESS("Demo PDCA cycle loaded."))
        else:
            self.stdout.write("A PDCA cycle exists already (or no demo staff or standard): nothing changed.")
