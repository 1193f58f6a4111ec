from __future__ import annotations

import ipaddress
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from headlines.cli import EXIT_NOTHING_DONE
from headlines.core.command import HeadlinesCommand
from headlines.staff.loginlimit import staff_login_pauses, staff_login_unlock


class Command(HeadlinesCommand):
    help = (
        "The staff admin's failed sign-in limits: `staff-login list` (usernames and addresses "
        "paused now), `staff-login unlock --username NAME` / `--address IP` (lift a pause "
        "before its window passes, e.g. when every administrator is locked out)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Usernames and addresses refused now, and until when.")
        unlock = sub.add_parser("unlock", help="Forget the failures of a username or address.")
        unlock.add_argument("--username", help="A staff username, exactly as typed at sign-in.")
        unlock.add_argument("--address", help="A client IP address, e.g. 203.0.113.9.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            pauses = staff_login_pauses()
            for pause in pauses:
                self.stdout.write(
                    f"{pause.kind} {pause.value!r}: {pause.failures} failed sign-ins, "
                    f"paused until {pause.until:%Y-%m-%d %H:%M} UTC"
                )
            if not pauses:
                self.stdout.write("No username or address is paused.")
            return
        username, address = options["username"], options["address"]
        if username is None and address is None:
            raise CommandError("name --username, --address or both", returncode=EXIT_NOTHING_DONE)
        if address is not None:
            try:  # "notanip" forgot nothing and said "Forgot 0" as if there were nothing to lift
                address = str(ipaddress.ip_address(address.strip()))
            except ValueError:
                raise CommandError(
                    f"--address {address!r} is not an IP address (e.g. 203.0.113.9 or "
                    "2001:db8::9; `staff-login list` shows the paused ones)",
                    returncode=EXIT_NOTHING_DONE,
                ) from None
        forgotten = staff_login_unlock(username=username, address=address)
        self.stdout.write(f"Forgot {forgotten} failed sign-in(s).")
