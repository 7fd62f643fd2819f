"""`manage.py seed-demo`: load the demo logistics company once and print its logins."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kefu.customers import demo


class Command(BaseCommand):
    help = (
        "Load a demo logistics company (teams, staff in every role, customers with contacts) "
        "unless it is already loaded, then print the demo logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--logins", action="store_true", help="Only print the demo logins; change nothing.")
        parser.add_argument(
            "--customers", type=int, default=2000, help="How many demo customers to create (default 2000)."
        )
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED, help="Random seed of the generator.")

    def handle(self, *args: Any, logins: bool, customers: int, seed: int, **options: Any) -> None:
        if not logins:
            if customers < 0:
                self.stderr.write("--customers must be 0 or more")
                return
            started = time.perf_counter()
            result = demo.seed_demo(customers=customers, seed=seed)
            if result.seeded:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Demo data loaded in {time.perf_counter() - started:.1f} s: {result.teams} teams, "
                        f"{result.users} users, {result.customers} customers, {result.contacts} contacts."
                    )
                )
            else:
                self.stdout.write("Demo data is already loaded; nothing changed.")
        self._print_logins()

    def _print_logins(self) -> None:
        rows = [("username", "role", "department", "password"), *demo.demo_logins()]
        widths = [max(_width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("Demo logins:")
        for index, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
