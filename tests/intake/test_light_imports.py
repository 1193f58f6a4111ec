"""Intake's modules load without trafilatura, htmldate or lxml: commands that extract nothing
start light; the extractor is imported when a page is first extracted."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("trafilatura", "htmldate", "justext", "lxml")


def test_loading_intake_does_not_import_the_extractor() -> None:
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'headlines.settings');"
        "import django; django.setup();"
        "import headlines.intake.extraction.cleaning, headlines.intake.pipeline.extract;"
        "import headlines.intake.services;"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    assert loaded == []


def test_extracting_a_page_imports_it_when_needed() -> None:
    from headlines.intake.extraction.extract import from_html

    page = "<html><body><article>" + "<p>The ferry crossing reopened on Monday.</p>" * 5
    extracted = from_html(page + "</article></body></html>", input="page.html")
    assert extracted is not None
    assert "ferry crossing reopened" in extracted.paragraphs[0]
