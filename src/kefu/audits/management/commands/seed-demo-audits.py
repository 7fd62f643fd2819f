"""`manage.py seed-demo-audits`: the demo company's audit and evaluation, once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kefu.audits.demo import seed_demo_audits


class Command(BaseCommand):
    help = "Load one completed 客户服务检查表 and one countersigned 客户服务评价表, unless audits exist already."

    def handle(self, *args: Any, **options: Any) -> None:
        made = seed_demo_audits()
        if made:
            self.stdout.write(self.style.SUCCESS("Demo audit and evaluation loaded."))
        else:
            self.stdout.write("Demo audits already loaded (or no demo staff): nothing changed.")
