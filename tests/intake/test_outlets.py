"""A mixed dump credits each outlet it names: stored on the article, counted apart by ranking,
and named in the digest ("Reported by A and B")."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from headlines.core import clock
from headlines.digests import services as digests
from headlines.intake import selectors
from headlines.intake.models import Article
from tests import factories

NOON = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
STORM_A = (
    "Storm Imogen brought winds of 90mph to the coast of Devon on Tuesday, cutting power to "
    "40,000 homes and closing the main railway line, the Met Office said. Engineers worked "
    "through the night to restore supplies. Schools in the worst-hit villages stayed shut."
)
STORM_B = (
    "Tens of thousands of homes in Devon lost power on Tuesday as Storm Imogen battered the "
    "coast with gusts of up to 90mph, forecasters said. The railway line along the sea wall was "
    "closed and several schools shut for the day while engineers restored supplies."
)


@pytest.mark.django_db
def test_a_mixed_dump_credits_each_outlet(tmp_path: Path) -> None:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    dump = tmp_path / "mixed.jsonl"
    rows = [
        {
            "title": "Storm Imogen cuts power to 40,000 homes",
            "text": STORM_A,
            "date": "2026-03-10T09:00:00Z",
            "source": "Harbour Wire",
            "section": "UK news",
        },
        {
            "title": "Storm Imogen leaves Devon homes without power",
            "text": STORM_B,
            "date": "2026-03-10T10:00:00Z",
            "publisher": "Metro Daily",
            "sections": ["Weather", "UK"],
        },
    ]
    dump.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    call_command("import", str(dump), "--edition", edition.slug, stdout=StringIO())
    stored = {a.outlet: a for a in Article.objects.all()}
    assert set(stored) == {"Harbour Wire", "Metro Daily"}
    assert stored["Harbour Wire"].sections == ["UK news"]
    assert stored["Metro Daily"].sections == ["Weather", "UK"]
    assert selectors.article_outlet(stored["Metro Daily"]) == "Metro Daily"

    digest = digests.digest_build(edition_id=edition.pk)
    item = digest.items.order_by("position").first()
    assert item is not None and item.story.source_count == 2
    assert sorted(item.source_names) == ["Harbour Wire", "Metro Daily"]
    assert "Reported by Harbour Wire and Metro Daily" in digest.text or (
        "Reported by Metro Daily and Harbour Wire" in digest.text
    )


@pytest.mark.django_db
def test_an_article_without_an_outlet_is_its_source_s() -> None:
    from tests.stories import factories as sf

    edition = factories.edition()
    article = sf.article(source=sf.source(edition=edition, name="The Ledger"), edition=edition)
    assert article.outlet == "" and selectors.article_outlet(article) == "The Ledger"


def _headlines(path: Path, records: list[tuple[str, str]]) -> Path:
    """A dump of one wire headline without text, once for each (outlet, address) given."""
    path.write_text(
        "".join(
            json.dumps(
                {
                    "title": "Storm Imogen cuts power to 40,000 homes in Devon",
                    "date": "2026-03-10T09:00:00Z",
                    "source": outlet,
                    **({"url": url} if url else {}),
                }
            )
            + "\n"
            for outlet, url in records
        )
    )
    return path


def _counts(printed: str) -> list[str]:
    """The import table's fetched, new, copies, duplicates and failed of its one source."""
    row = next(line for line in printed.splitlines() if "imported-files" in line)
    return [c.strip() for c in row.split("\u2502") if c.strip()][1:6]


@pytest.mark.django_db
def test_one_headline_from_several_outlets_of_a_dump_is_each_outlets_report(
    tmp_path: Path,
) -> None:
    """An aggregator's dump: one wire headline carried at four addresses by three outlets, no
    text. Each is stored (the later ones linked to the first as copies) and credited; the
    same record again, and the whole dump imported again, are repeats and skipped."""
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    records = [
        ("Harbour Wire", "https://harbour.example/storm"),
        ("Metro Daily", "https://metro.example/storm"),
        ("The Ledger", "https://ledger.example/storm"),
        ("Metro Daily", "https://metro.example/uk/storm"),  # its other edition's page
        ("Harbour Wire", "https://harbour.example/storm"),  # the first record again
    ]
    dump = _headlines(tmp_path / "headlines.jsonl", records)
    out = StringIO()
    call_command("import", str(dump), "--edition", edition.slug, stdout=out)
    stored = list(Article.objects.order_by("id"))
    assert [a.url for a in stored] == [url for _, url in records[:4]]
    assert stored[0].duplicate_of_id is None
    assert {a.duplicate_of_id for a in stored[1:]} == {stored[0].pk}
    # The table says what was stored: one new, three stored as its copies, one already held.
    assert _counts(out.getvalue()) == ["5", "1", "3", "1", "0"]

    out = StringIO()
    call_command("import", str(dump), "--edition", edition.slug, stdout=out)
    assert Article.objects.count() == 4
    assert _counts(out.getvalue()) == ["5", "0", "0", "5", "0"]

    digest = digests.digest_build(edition_id=edition.pk)
    item = digest.items.order_by("position").first()
    assert item is not None and item.story.articles.count() == 4
    assert sorted(item.source_names) == ["Harbour Wire", "Metro Daily", "The Ledger"]
    # Copies of one wire text are one outlet's reporting for ranking, as a feed's copies are.
    assert item.story.source_count == 1


@pytest.mark.django_db
def test_without_addresses_the_same_outlets_headline_again_is_a_repeat(tmp_path: Path) -> None:
    clock.set_clock(clock.FixedClock(NOON))
    edition = factories.edition(timezone="Europe/London", send_at="18:00")
    records = [("Harbour Wire", ""), ("Metro Daily", ""), ("Harbour Wire", "")]
    dump = _headlines(tmp_path / "headlines.jsonl", records)
    call_command("import", str(dump), "--edition", edition.slug, stdout=StringIO())
    call_command("import", str(dump), "--edition", edition.slug, stdout=StringIO())
    stored = list(Article.objects.order_by("id"))
    assert [a.outlet for a in stored] == ["Harbour Wire", "Metro Daily"]
    assert stored[1].duplicate_of_id == stored[0].pk
