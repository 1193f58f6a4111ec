from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rich.table import Table

from headlines.core import clock
from headlines.core.command import HeadlinesCommand
from headlines.core.names import controls_escaped
from headlines.intake import selectors, services
from headlines.intake.fetching.waits import duration
from headlines.intake.management.console import console_for
from headlines.intake.models import FETCH_INTERVAL_MAX_MINUTES, Source


class Command(HeadlinesCommand):
    path_options = frozenset({"path"})
    help = "Manage sources: `source add`, `source list`, `source enable|disable|remove SLUG`."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a feed, news sitemap, page or dump.")
        add.add_argument("name", help='Shown in the admin, e.g. "Metro Wire".')
        add.add_argument(
            "--kind",
            choices=Source.Kind.values,
            default=Source.Kind.FEED,
            help="What the URL or path holds (default feed).",
        )
        add.add_argument("--url", default="", help="Feed, sitemap or page URL.")
        add.add_argument("--path", default="", help="For dumps: a file or folder.")
        add.add_argument("--edition", action="append", default=[], help="Edition slug (repeat).")
        add.add_argument(
            "--language", default="", help="Language code, when pages do not declare one."
        )
        add.add_argument(
            "--weight", type=float, default=1.0, help="How much its stories count (default 1.0)."
        )
        add.add_argument(
            "--interval",
            type=int,
            default=30,
            help=f"Minutes between fetches, 1 to {FETCH_INTERVAL_MAX_MINUTES} (default 30).",
        )
        add.add_argument("--slug", default="", help="Short name (default: from the name).")
        add.add_argument(
            "--local", action="store_true", help="Allow private and loopback addresses."
        )
        add.add_argument("--disabled", action="store_true", help="Add it switched off.")
        sub.add_parser("list", help="List sources with their health.")
        for action in ("enable", "disable", "remove"):
            one = sub.add_parser(action, help=f"{action.capitalize()} a source.")
            one.add_argument("slug", help="The source's slug, as `source list` shows it.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            source = services.source_create(
                name=options["name"],
                kind=options["kind"],
                url=options["url"],
                path=options["path"],
                editions=options["edition"],
                language=options["language"],
                weight=options["weight"],
                fetch_interval_minutes=options["interval"],
                is_local=options["local"],
                slug=options["slug"],
                enabled=not options["disabled"],
            )
            self.stdout.write(f"Added source {source.slug} ({source.kind})")
            why = selectors.source_unreachable(source)
            if why:  # added as asked, but every fetch would be refused without a word here
                self.stderr.write(
                    f"note: {why}: its fetches will be refused (SSRF) unless the source is "
                    f"local; `headlines source remove {source.slug}` and add it again with "
                    "--local, or mark it Local in the admin"
                )
        elif action == "list":
            self._list()
        else:
            source = selectors.source_get(slug=options["slug"])
            if action == "remove":
                services.source_delete(source_id=source.pk)
            else:
                services.source_set_enabled(source_id=source.pk, enabled=action == "enable")
            self.stdout.write(f"Source {source.slug}: {action}d")

    def _list(self) -> None:
        table = Table("slug", "kind", "where", "editions", "every", "health", "last error")
        for source in selectors.source_list():
            table.add_row(
                source.slug,
                source.kind,
                controls_escaped(source.shown_url or source.path),
                ",".join(e.slug for e in source.editions.all()) or "—",
                f"{source.fetch_interval_minutes} min",
                _health(source),
                _brief(controls_escaped(source.brief_error)) or "—",
            )
        console_for(self.stdout).print(table)


def _brief(error: str, limit: int = 100) -> str:
    # The reason comes after the URL: at 60 characters with the URL in front, "HTTP 429 Too
    # Many Requests, asked us to wait 2 h" showed as "HTTP 429 Too Many Requests, as".
    return error if len(error) <= limit else error[: limit - 1] + "…"


def _health(source: Source) -> str:
    """A failing source says when it is tried again (its interval doubled per failure, or the
    wait its server asked for): a line under the health, so the URL keeps the table's width."""
    when = selectors.source_next_fetch(source)
    if not source.enabled or not source.consecutive_failures or when is None:
        return source.health
    left = (when - clock.now()).total_seconds()
    return f"{source.health}\nnext try {'in ' + duration(left) if left > 0 else 'now'}"
