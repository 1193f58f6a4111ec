from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rich.console import Console
from rich.table import Table

from headlines.core.command import HeadlinesCommand
from headlines.stories import topics


class Command(HeadlinesCommand):
    help = (
        "Manage an edition's topics: `topic add SLUG --edition SLUG --name NAME "
        "[--sections a,b]`, `topic list [--edition SLUG]`."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Add a topic, last in the edition's order.")
        add.add_argument("slug", help="Short name readers' choices and imports use, e.g. world.")
        add.add_argument("--edition", required=True, help="The edition's slug.")
        add.add_argument("--name", required=True, help='Shown to readers, e.g. "World".')
        add.add_argument(
            "--sections",
            default="",
            help="Article sections and feed categories that mean this topic, comma-separated.",
        )
        listing = sub.add_parser("list", help="List topics in the editor's order.")
        listing.add_argument("--edition", default=None, help="Only this edition's.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            topic = topics.topic_add(
                edition=options["edition"],
                slug=options["slug"],
                name=options["name"],
                sections=[s for s in options["sections"].split(",") if s.strip()],
            )
            self.stdout.write(f"Added topic {topic.slug} ({topic.name}) to {topic.edition.slug}")
            return
        table = Table("edition", "slug", "name", "order", "sections")
        for topic in topics.topic_list(edition=options["edition"]):
            table.add_row(
                topic.edition.slug,
                topic.slug,
                topic.name,
                str(topic.order),
                ", ".join(topic.sections),
            )
        Console(file=self.stdout, width=120).print(table)  # type: ignore[arg-type]
