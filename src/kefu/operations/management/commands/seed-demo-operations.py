"""`manage.py seed-demo-operations`: demo fleet, stock, standards, orders, shipments, exceptions and claims."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from kefu.operations import demo


class Command(BaseCommand):
    help = "Load demo orders and shipments unless orders exist already. Run after seed-demo and seed-demo-cases."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        made = demo.seed_demo_operations()
        if made:
            self.stdout.write(
                self.style.SUCCESS(f"{made} demo orders loaded in {time.perf_counter() - started:.1f} s.")
            )
        else:
            self.stdout.write("Demo orders are already loaded (or no demo customers yet); nothing changed.")
