from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from headlines.core.command import HeadlinesCommand
from headlines.delivery.inbound import BounceServer, ImapMailbox, bounce_poll, parse_listen


class Command(HeadlinesCommand):
    help = (
        "Bounces and complaints: `bounces serve` runs the SMTP endpoint of the bounce domain; "
        "`bounces poll` reads the bounce mailbox (HEADLINES_BOUNCE_IMAP_URL) once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        serve = sub.add_parser("serve", help="Receive bounces over SMTP until stopped.")
        serve.add_argument(
            "--listen",
            default=None,
            help="host:port (default HEADLINES_BOUNCE_LISTEN). Point the bounce domain's MX "
            "here, or relay to it from your MTA.",
        )
        poll = sub.add_parser("poll", help="Process unread messages in the bounce mailbox.")
        poll.add_argument("--url", default=None, help="Default HEADLINES_BOUNCE_IMAP_URL.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "serve":
            self._serve(options["listen"] or settings.CONFIG["HEADLINES_BOUNCE_LISTEN"])
        else:
            self._poll(options["url"] or settings.CONFIG["HEADLINES_BOUNCE_IMAP_URL"])

    def _serve(self, listen: str) -> None:
        host, port = parse_listen(listen)
        server = BounceServer(host=host, port=port)
        try:
            server.start()
        except (OSError, RuntimeError) as exc:
            raise CommandError(f"cannot listen on {listen}: {exc}", returncode=2) from None
        self.stdout.write(f"Receiving bounces on {host}:{port}. Ctrl-C stops.")
        stop = threading.Event()

        def on_term(*_: object) -> None:
            # Swapped out first, as `supervisor.stop_on_signal` is: a second SIGTERM arriving
            # inside `stop.set()` would otherwise wait forever for the lock the first handler
            # holds in this same thread.
            signal.signal(signal.SIGTERM, lambda *_: None)
            stop.set()

        signal.signal(signal.SIGTERM, on_term)
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

    def _poll(self, url: str | None) -> None:
        if not url:
            raise CommandError("set HEADLINES_BOUNCE_IMAP_URL or pass --url", returncode=2)
        mailbox = ImapMailbox(url)
        failed: list[str] = []
        try:
            reports = bounce_poll(mailbox=mailbox, failed=failed)
        finally:
            mailbox.close()
        kinds: dict[str, int] = {}
        for report in reports:
            kinds[report.kind] = kinds.get(report.kind, 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "nothing new"
        self.stdout.write(f"bounce mailbox: {summary}")
        # The next poll tries a failed message again: it is still unread.
        self.finish(done=len(reports), failed=failed, noun="message")
