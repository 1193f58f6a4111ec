from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from rich.console import Console
from rich.table import Table

from headlines.core.command import HeadlinesCommand
from headlines.stories import topics
from headlines.subscriptions.choices import topic_remove


class Command(HeadlinesCommand):
    help = (
        "Manage an edition's topics: `topic add SLUG --edition SLUG --name NAME "
        "[--sections a,b]`, `topic edit SLUG --edition SLUG [--name NAME] [--sections a,b] "
        "[--order N]`, `topic remove SLUG --edition SLUG`, `topic list [--edition SLUG]`."
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
        edit = sub.add_parser(
            "edit", help="Rename a topic, change its sections or move it in the editor's order."
        )
        edit.add_argument("slug", help="The topic's slug (it stays: readers' choices use it).")
        edit.add_argument("--edition", required=True, help="The edition's slug.")
        edit.add_argument("--name", default=None, help="The new name shown to readers.")
        edit.add_argument(
            "--sections",
            default=None,
            help="The sections and categories that mean it, comma-separated (replaces them; "
            '"" for none).',
        )
        edit.add_argument(
            "--order", type=int, default=None, help="Its place, from 0 (first); others move."
        )
        remove = sub.add_parser(
            "remove",
            help="Remove a topic and take it out of readers' choices (a reader who chose only "
            "it gets the whole digest).",
        )
        remove.add_argument("slug", help="The topic's slug.")
        remove.add_argument("--edition", required=True, help="The edition's slug.")
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
        if options["action"] == "edit":
            sections = options["sections"]
            topic = topics.topic_edit(
                edition=options["edition"],
                slug=options["slug"],
                name=options["name"],
                sections=None
                if sections is None
                else [s for s in sections.split(",") if s.strip()],
                order=options["order"],
            )
            self.stdout.write(
                f"Changed topic {topic.slug} of {topic.edition.slug}: {topic.name}, "
                f"place {topic.order}, sections: {', '.join(topic.sections) or 'none'}"
            )
            return
        if options["action"] == "remove":
            gone = topic_remove(edition=options["edition"], slug=options["slug"])
            whole = (
                f"; {gone.now_whole} of them chose nothing else and now get the whole digest"
                if gone.now_whole
                else ""
            )
            self.stdout.write(
                f"Removed topic {gone.topic.slug} ({gone.topic.name}) from "
                f"{gone.topic.edition.slug}: {gone.readers} reader(s) had chosen it{whole}"
            )
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
        Console(file=self.stdout, width=120, markup=False).print(table)  # type: ignore[arg-type]
