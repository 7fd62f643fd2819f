"""Run the e-mail intake: an SMTP listener the company MTA forwards the service mailbox to."""

from __future__ import annotations

import signal
import threading
from typing import Any

from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from kefu.tickets.mail import IntakeHandler


class Command(BaseCommand):
    help = (
        "Listen for SMTP mail on KEFU_MAIL_INTAKE_HOST:KEFU_MAIL_INTAKE_PORT; mail to KEFU_MAIL_INTAKE_ADDRESS "
        "becomes a case, replies thread into their case. Stops on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.KEFU_MAIL_INTAKE_HOST)
        parser.add_argument("--port", type=int, default=settings.KEFU_MAIL_INTAKE_PORT)
        parser.add_argument(
            "--address",
            action="append",
            dest="addresses",
            help="a recipient address to accept (repeatable); default KEFU_MAIL_INTAKE_ADDRESS",
        )
        parser.add_argument("--any-recipient", action="store_true", help="accept mail for every recipient")

    def handle(self, *args: Any, **options: Any) -> None:
        addresses = () if options["any_recipient"] else options["addresses"] or [settings.KEFU_MAIL_INTAKE_ADDRESS]
        handler = IntakeHandler(addresses=addresses)
        controller = Controller(
            handler, hostname=options["host"], port=options["port"], server_hostname="kefu-mail-intake"
        )
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_args: stop.set())
        controller.start()
        accepting = ", ".join(addresses) if addresses else "any recipient"
        self.stdout.write(f"mail intake listening on {options['host']}:{options['port']} for {accepting}")
        try:
            stop.wait()
        finally:
            controller.stop()
            handler.close()
            self.stdout.write("mail intake stopped")
