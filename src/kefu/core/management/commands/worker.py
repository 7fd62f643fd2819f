"""Run the background worker: the django-tasks database queue plus the periodic scheduler."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands.db_worker import Worker

from kefu.core.scheduler import enqueue_due_jobs, periodic_jobs


class Command(BaseCommand):
    help = "Run Kefu's background worker (task queue and periodic jobs). Ctrl-C stops it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between queue polls when idle.")
        parser.add_argument("--no-scheduler", action="store_true", help="Only run queued tasks (extra workers).")

    def handle(self, *args: Any, interval: float, no_scheduler: bool, **options: Any) -> None:
        autodiscover_modules("tasks")
        if not no_scheduler:
            names = ", ".join(sorted(j.task.name for j in periodic_jobs()))
            self.stdout.write(f"Scheduler: {names}")
            threading.Thread(target=self._schedule_forever, daemon=True, name="kefu-scheduler").start()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write("Worker started.")
        worker.run()

    def _schedule_forever(self) -> None:
        while True:
            try:
                enqueue_due_jobs()
            except Exception as exc:
                self.stderr.write(f"scheduler: {exc}")
            finally:
                close_old_connections()
            time.sleep(5)
