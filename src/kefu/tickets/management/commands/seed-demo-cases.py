"""`manage.py seed-demo-cases`: demo complaints, suggestions and inquiries for the demo customers."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.tickets import demo


class Command(BaseCommand):
    help = "Load demo cases (through the real services) unless cases exist already. Run after seed-demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=150, help="How many demo cases (default 150).")

    def handle(self, *args: Any, cases: int, **options: Any) -> None:
        started = time.perf_counter()
        made = demo.seed_demo_cases(count=cases)
        if made:
            self.stdout.write(self.style.SUCCESS(f"{made} demo cases loaded in {time.perf_counter() - started:.1f} s."))
        else:
            self.stdout.write("Demo cases are already loaded (or no demo staff/customers yet); nothing changed.")
