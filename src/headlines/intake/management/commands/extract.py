from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from headlines.core.command import HeadlinesCommand, standard_input
from headlines.core.names import controls_escaped
from headlines.intake.extraction.cleaning import CleanArticle
from headlines.intake.pipeline import extract as extracting

# One object per line, by any reader's count of lines: JSON escapes "\n" but not the other
# characters Python's `str.splitlines()` (and editors) break lines at, which a record's text or
# a file's name may hold; escaped, the value is the same.
LINE_BREAKS_ESCAPED = str.maketrans({ch: f"\\u{ord(ch):04x}" for ch in "\x85\u2028\u2029"})


class Command(HeadlinesCommand):
    path_options = frozenset({"inputs"})
    help = (
        "Clean pages, folders, text, JSONL, JSON or CSV dumps, feed files or URLs and print the "
        "articles. Stores nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "inputs",
            nargs="+",
            metavar="PATH_OR_URL",
            help=(
                "HTML pages, folders or zip archives of them, text, JSONL, JSON or CSV/TSV dumps, "
                "RSS/Atom/JSON Feed files (any of them gzip-, bzip2- or xz-compressed), URLs, "
                "or - for standard input."
            ),
        )
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")
        parser.add_argument(
            "--allow-local", action="store_true", help="Allow URLs on private/loopback addresses."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        printed, failed = 0, []
        for result in extracting.extract_inputs(
            options["inputs"],
            stdin=standard_input(options["inputs"]),
            allow_private=options["allow_local"],
        ):
            if isinstance(result, CleanArticle):
                printed += 1
                self._print(result, as_json=options["json"])
                if result.date_note:
                    self.stderr.write(
                        f"undated: {controls_escaped(result.input)}: {result.date_note}"
                    )
            else:
                failed.append(f"{result.input}: {result.reason}")
        self.finish(done=printed, failed=failed)

    def _print(self, article: CleanArticle, *, as_json: bool) -> None:
        if as_json:
            line = self.json_text(article.as_json())
            self.stdout.write(line.translate(LINE_BREAKS_ESCAPED))
            return
        meta = [article.date_iso() or "undated", article.author, article.url]
        self.stdout.write(f"# {article.title or controls_escaped(article.input)}")
        self.stdout.write(" · ".join(m for m in meta if m))
        self.stdout.write("")
        self.stdout.write(article.text)
        self.stdout.write("")
