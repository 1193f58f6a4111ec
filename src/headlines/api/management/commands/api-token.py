from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rich.table import Table

from headlines.api import selectors, services
from headlines.core.command import HeadlinesCommand
from headlines.intake.management.console import console_for


class Command(HeadlinesCommand):
    help = (
        "API tokens: `api-token create NAME` (prints the token once), `api-token list`, "
        "`api-token revoke NAME`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token and print it (only this once).")
        create.add_argument("name", help="Who or what uses it, e.g. cms.")
        sub.add_parser("list", help="List tokens (never the tokens themselves).")
        revoke = sub.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("name", help="The name the token was created with.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            token, raw = services.api_token_create(name=options["name"])
            self.stdout.write(raw)
            self.stderr.write(
                f"Token {token.name} created. It is shown only now: store it somewhere safe. "
                "Use it as `Authorization: Bearer <token>`."
            )
        elif action == "revoke":
            token, revoked = services.api_token_revoke(name=options["name"])
            if revoked:
                self.stdout.write(f"Token {token.name} revoked.")
            else:
                self.stdout.write(
                    f"Token {token.name} was already revoked on {token.revoked_at:%Y-%m-%d}; "
                    "nothing changed."
                )
        else:
            table = Table("name", "starts with", "created", "last used", "state")
            for token in selectors.api_token_list():
                table.add_row(
                    token.name,
                    token.prefix + "…",
                    f"{token.created_at:%Y-%m-%d %H:%M}",
                    f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never",
                    "active" if token.active else f"revoked {token.revoked_at:%Y-%m-%d}",
                )
            console_for(self.stdout).print(table)
