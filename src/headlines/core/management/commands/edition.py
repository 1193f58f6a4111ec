from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rich.console import Console
from rich.table import Table

from headlines.core import selectors, services
from headlines.core.command import HeadlinesCommand
from headlines.core.models import Edition


class Command(HeadlinesCommand):
    help = "Manage editions: `edition add SLUG --name NAME --timezone TZ`, `edition list`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create an edition.")
        add.add_argument("slug", help="Short name used in URLs and commands, e.g. us.")
        add.add_argument(
            "--name", required=True, help='Shown to readers, e.g. "US Evening Headlines".'
        )
        add.add_argument("--timezone", required=True, help="IANA time zone, e.g. America/New_York.")
        add.add_argument(
            "--send-at", default="18:00", help="Local send time HH:MM (default 18:00)."
        )
        add.add_argument(
            "--language", default="en", help="Language code of the digest (default en)."
        )
        add.add_argument(
            "--from-address",
            default="",
            help="From: address of its emails (default HEADLINES_MAIL_FROM).",
        )
        add.add_argument("--reply-to", default="", help="Reply-To: of its emails (default: none).")
        add.add_argument(
            "--privacy-url",
            default="",
            help="Privacy notice linked from sign-up and emails (default: the built-in one, "
            "HEADLINES_BASE_URL/privacy/).",
        )
        add.add_argument(
            "--review",
            action="store_true",
            help="Each digest waits for an editor's approval (default: a draft nobody approved "
            "is approved at its send time, so the edition goes out when no editor is at hand).",
        )
        sub.add_parser("list", help="List the editions.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            edition = services.edition_create(
                slug=options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                send_at=options["send_at"],
                language=options["language"],
                from_address=options["from_address"],
                reply_to=options["reply_to"],
                privacy_url=options["privacy_url"],
                auto_approve=not options["review"],
            )
            self.stdout.write(
                f"Created edition {edition.slug}: {edition.name}, "
                f"{edition.send_at:%H:%M} {edition.timezone}. {_review(edition)}"
            )
            return
        table = Table("slug", "name", "time zone", "send at", "language", "review", "enabled")
        for edition in selectors.edition_list():
            table.add_row(
                edition.slug,
                edition.name,
                edition.timezone,
                f"{edition.send_at:%H:%M}",
                edition.language,
                "optional" if edition.auto_approve else "required",
                "yes" if edition.enabled else "no",
            )
        console = Console(file=self.stdout, width=120, markup=False)  # type: ignore[arg-type]
        console.print(table)


def _review(edition: Edition) -> str:
    """What happens to the edition's daily digest, said where it is created."""
    built = f"Each digest is built {edition.review_window_minutes} minutes before the send time"
    if edition.auto_approve:
        return (
            f"{built} for review and approved then if no editor did (`--review` to wait for "
            "one; the admin's Editions page changes it)."
        )
    return f"{built} and waits for an editor's approval (admin, API or `headlines send`)."
