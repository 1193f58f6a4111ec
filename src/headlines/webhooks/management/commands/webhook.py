from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from rich.table import Table

from headlines.core.command import HeadlinesCommand
from headlines.core.events import EVENTS
from headlines.core.names import controls_escaped
from headlines.intake.management.console import console_for
from headlines.webhooks import selectors, services


class Command(HeadlinesCommand):
    help = (
        "Webhooks: `webhook add URL --events a,b`, `webhook list`, `webhook enable ID`, "
        "`webhook rotate ID [--overlap-hours H]`, `webhook remove ID`. "
        f"Events: {', '.join(EVENTS)}."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add an endpoint; prints its id and signing secret.")
        add.add_argument("url", help="Where to POST the signed events (https://…).")
        add.add_argument(
            "--events", required=True, help=f"Comma-separated, of: {', '.join(EVENTS)}"
        )
        add.add_argument(
            "--description", default="", help="A note for staff: who owns this endpoint."
        )
        sub.add_parser("list", help="List endpoints with their health.")
        enable = sub.add_parser(
            "enable",
            help="Switch a disabled endpoint back on; its queued messages, and the events "
            "raised while it was off, resume.",
        )
        enable.add_argument("id", type=int, help="The endpoint's id, as webhook list shows it.")
        rotate = sub.add_parser(
            "rotate",
            help="Give an endpoint a new signing secret; the old one signs beside it for a while.",
        )
        rotate.add_argument("id", type=int, help="The endpoint's id, as webhook list shows it.")
        rotate.add_argument(
            "--overlap-hours",
            type=float,
            default=services.ROTATION_OVERLAP_HOURS,
            help="How long the old secret signs each message too (default 24; 0: stop it now, "
            "as for a secret that leaked).",
        )
        remove = sub.add_parser("remove", help="Remove an endpoint and its pending messages.")
        remove.add_argument("id", type=int, help="The endpoint's id, as webhook list shows it.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            endpoint = services.webhook_endpoint_add(
                url=options["url"], events=options["events"], description=options["description"]
            )
            self.stdout.write(
                f"Added webhook #{endpoint.pk} → {endpoint.shown_url} "
                f"for {', '.join(endpoint.events)}\n"
                f"Signing secret (Standard Webhooks): {endpoint.secret}"
            )
            private = services.private_address(endpoint.url)
            if private and not settings.CONFIG["HEADLINES_WEBHOOK_ALLOW_PRIVATE"]:
                self.stderr.write(
                    f"warning: {private}: every event to it will be refused while "
                    "HEADLINES_WEBHOOK_ALLOW_PRIVATE is off (see docs/operations.md, Webhooks)"
                )
        elif action == "enable":
            endpoint = services.webhook_endpoint_enable(endpoint_id=options["id"])
            self.stdout.write(f"Enabled webhook #{endpoint.pk} → {endpoint.shown_url}")
        elif action == "rotate":
            endpoint = services.webhook_endpoint_rotate(
                endpoint_id=options["id"], overlap_hours=options["overlap_hours"]
            )
            self.stdout.write(
                f"New signing secret for webhook #{endpoint.pk} → {endpoint.shown_url}: "
                f"{endpoint.secret}"
            )
            until = endpoint.previous_secret_until
            if until is not None:
                self.stdout.write(
                    f"The old secret signs each message too until "
                    f"{until.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC: "
                    "put the new one in the receiver before then."
                )
            else:
                self.stdout.write("The old secret no longer signs anything.")
        elif action == "remove":
            services.webhook_endpoint_remove(endpoint_id=options["id"])
            self.stdout.write(f"Removed webhook #{options['id']}")
        else:
            table = Table("id", "url", "events", "state", "failures in a row", "last error")
            for e in selectors.webhook_endpoint_list():
                table.add_row(
                    str(e.pk),
                    e.shown_url,
                    ",".join(e.events),
                    "enabled" if e.enabled else "DISABLED",
                    str(e.consecutive_failures),
                    controls_escaped(e.disabled_reason or e.last_error)[:80] or "—",
                )
            console_for(self.stdout).print(table)
