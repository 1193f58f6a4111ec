from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from headlines.core.command import HeadlinesCommand
from headlines.intake.extraction.cleaning import CleanArticle
from headlines.intake.pipeline import extract as extracting


class Command(HeadlinesCommand):
    help = (
        "Clean pages, folders, text or JSONL dumps, feed files or URLs and print the articles. "
        "Stores nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")
        parser.add_argument(
            "--allow-local", action="store_true", help="Allow URLs on private/loopback addresses."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        for result in extracting.extract_inputs(
            options["inputs"], allow_private=options["allow_local"]
        ):
            if isinstance(result, CleanArticle):
                self._print(result, as_json=options["json"])
            else:
                failures += 1
                self.stderr.write(f"{result.input}: {result.reason}")
        if failures:
            raise CommandError(f"{failures} input(s) could not be read", returncode=1)

    def _print(self, article: CleanArticle, *, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(article.as_json(), ensure_ascii=False))
            return
        meta = [article.date_iso() or "undated", article.author, article.url]
        self.stdout.write(f"# {article.title or article.input}")
        self.stdout.write(" · ".join(m for m in meta if m))
        self.stdout.write("")
        self.stdout.write(article.text)
        self.stdout.write("")
