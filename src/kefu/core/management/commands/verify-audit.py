from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kefu.core.selectors import audit_unsealed_count, audit_verify
from kefu.core.services import audit_seal_pending


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; exits non-zero when a sealed row was changed."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--seal", action="store_true", help="Seal pending rows before verifying.")

    def handle(self, *args: Any, seal: bool, **options: Any) -> None:
        if seal:
            while audit_seal_pending() is not None:
                pass
        problems = audit_verify()
        for problem in problems:
            self.stderr.write(f"seal {problem.seal_id} event {problem.event_id}: {problem.message}")
        if problems:
            raise CommandError(f"audit trail verification failed: {len(problems)} problem(s)")
        self.stdout.write(f"audit trail intact; {audit_unsealed_count()} event(s) not sealed yet")
