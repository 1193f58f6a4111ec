"""`headlines stories`: every story of a window, ranked, with its articles; bad input exits 2."""

import datetime as dt
import json
import subprocess
import sys
import zoneinfo
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import clock
from headlines.digests.models import Digest
from headlines.intake.models import Article
from headlines.stories.models import Story
from tests import factories
from tests.digests.factories import NOON, messy_day
from tests.stories import factories as sf

pytestmark = pytest.mark.django_db
LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def edition():
    clock.set_clock(clock.FixedClock(NOON))
    made = factories.edition(slug="us", timezone="Europe/London")
    messy_day(made)
    return made


def stories(*args: str) -> str:
    out = StringIO()
    call_command("stories", *args, stdout=out)
    return out.getvalue()


def test_json_lists_every_story_with_its_articles(edition) -> None:
    payload = json.loads(stories("--edition", "us", "--date", "2026-11-25", "--format", "json"))
    listed = payload["stories"]
    assert {"headline", "summary", "topics", "articles"} <= set(listed[0])
    storm = next(s for s in listed if "Storm Bella" in s["headline"])
    assert len(storm["articles"]) == 3
    assert {a["source"] for a in storm["articles"]} == {"Coast Daily", "National Wire"}
    article = storm["articles"][0]
    assert set(article) == {"url", "title", "source", "published"}
    assert article["url"].startswith("https://")
    dt.datetime.fromisoformat(article["published"])  # ISO 8601
    assert storm["topics"] == []
    # Every article of the window is in exactly one story.
    urls = [a["url"] for s in listed for a in s["articles"]]
    in_window = Article.objects.filter(published_at__gte=NOON - dt.timedelta(hours=24))
    assert len(urls) == len(set(urls)) == in_window.count()
    # Nothing is stored: the listing only reads.
    assert not Story.objects.exists() and not Digest.objects.exists()


def test_text_is_ranked_and_names_the_window(edition) -> None:
    text = stories("--edition", "us", "--date", "2026-11-25")
    assert "stories of the window" in text
    assert text.index("1. ") < text.index("2. ")
    assert "Storm Bella" in text and "(Coast Daily, 2026-11-25" in text
    untitled = Article.objects.filter(published_at__gte=NOON - dt.timedelta(hours=24)).first()
    assert untitled is not None
    untitled.title = ""  # a dump's text record
    untitled.save()
    text = stories("--edition", "us", "--date", "2026-11-25")
    assert "   - (untitled) (" in text and "   -  (" not in text


def test_a_window_of_one_story_says_one_story() -> None:
    clock.set_clock(clock.FixedClock(NOON))
    uk = factories.edition(slug="uk", name="UK", timezone="Europe/London")
    wire = sf.source(name="Wire", edition=uk)
    sf.article(source=wire, edition=uk, title="Ferry returns", published_at=NOON)
    text = stories("--edition", "uk", "--date", f"{NOON:%Y-%m-%d}", "--hours", "48")
    assert text.startswith("UK: 1 story of the window ")


def test_hours_widens_the_window(edition) -> None:
    source = sf.source(name="Archive Post", edition=edition)
    sf.article(
        source=source,
        edition=edition,
        title="Harbour museum reopens after a two-year restoration",
        text="The harbour museum reopened on Sunday after a two-year restoration of its halls.",
        published_at=NOON - dt.timedelta(hours=60),
    )
    default = stories("--edition", "us", "--date", "2026-11-25")
    wide = stories("--edition", "us", "--date", "2026-11-25", "--hours", "96")
    assert "Harbour museum" not in default
    assert "Harbour museum" in wide


def test_a_months_window_lists_one_towns_floods_a_month_apart_as_two_stories(edition) -> None:
    source = sf.source(name="Archive Post", edition=edition)
    for days in (26, 25, 2):  # the flood told on two days, then the next flood
        sf.article(
            source=source,
            edition=edition,
            title="Harwick harbour floods as hundreds leave their homes",
            text="The sea flooded Harwick's harbour at high tide and hundreds of residents left.",
            published_at=NOON - dt.timedelta(days=days),
        )
    payload = json.loads(
        stories("--edition", "us", "--date", "2026-11-25", "--hours", "744", "--format", "json")
    )
    harwick = [s for s in payload["stories"] if "Harwick" in s["articles"][0]["title"]]
    assert sorted(len(s["articles"]) for s in harwick) == [1, 2]


def test_a_window_of_years_is_listed_and_one_too_full_is_a_clear_error(
    edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    years = stories("--edition", "us", "--date", "2026-11-25", "--hours", str(24 * 366 * 10))
    assert "Storm Bella" in years  # ten years back: the messy day is all there is
    from headlines.stories import listing

    monkeypatch.setattr(listing, "MAX_ARTICLES", 5)
    with pytest.raises(CommandError, match=r"holds \d+ articles; at most 5 are grouped at once"):
        stories("--edition", "us", "--date", "2026-11-25", "--hours", "48")
    assert not Story.objects.exists()


def test_an_empty_window_says_where_the_editions_articles_are(edition) -> None:
    # An archive imported from years ago is not in today's window: say which options reach it.
    def hint(*args: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("stories", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    out, err = hint("--edition", "us", "--date", "2026-11-10", "--format", "json")
    assert json.loads(out) == {"stories": []}  # the hint is not in the JSON
    times = sorted(a.published_at.astimezone(LONDON) for a in Article.objects.all())
    assert f"its articles are from {times[0]:%Y-%m-%d %H:%M} to {times[-1]:%Y-%m-%d %H:%M} " in err
    command = err.split("To see them: ")[1].split()
    assert command[:4] == ["headlines", "stories", "--edition", "us"]
    widest = stories(*command[2:])
    assert "0 stories" not in widest and widest.count("\n1. ") == 1
    listed = json.loads(stories(*command[2:], "--format", "json"))["stories"]
    assert sum(len(s["articles"]) for s in listed) == Article.objects.count()
    Article.objects.all().delete()
    assert "has no articles yet: import some" in hint("--edition", "us")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "nope"], "no edition 'nope'"),
        (["--edition", "<script>alert(1)</script>"], "no edition"),
        (["--edition", "us", "--date", "2026-13-40"], "must be a date"),
        (["--edition", "us", "--date", "'; DROP TABLE stories_story; --"], "must be a date"),
        (["--edition", "us", "--date", "0001-01-01"], "^0001-01-01 is not a news day"),
        (["--edition", "us", "--date", "9999-12-31"], "is not a news day"),
        (["--edition", "us", "--hours", "1e300"], "reaches back before 1970-01-01"),
        (["--edition", "us", "--hours", "600000"], "reaches back before 1970-01-01"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(edition, args, message) -> None:
    before = Article.objects.count()
    with pytest.raises(CommandError, match=message) as caught:
        stories(*args)
    assert caught.value.returncode == 2
    assert Article.objects.count() == before
    assert not Story.objects.exists() and not Digest.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "us", "--hours", "-3"], "hours must be a positive number"),
        (["--edition", "us", "--hours", "0"], "hours must be a positive number"),
        (["--edition", "us", "--hours", "nan"], "hours must be a positive number"),
        (["--edition", "us", "--hours", "lots"], "not a number of hours"),
        (["--edition", "us", "--format", "xml"], "invalid choice"),
        (["--date", "2026-11-25"], "--edition"),
    ],
)
def test_the_console_script_exits_2_on_bad_usage(tmp_path, args, message) -> None:
    env = {"HEADLINES_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "headlines", "stories", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


def test_the_console_script_lists_stories_and_exits_0(tmp_path) -> None:
    env = {"HEADLINES_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "headlines", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )

    assert run("migrate", "-v", "0").returncode == 0
    assert run("edition", "add", "us", "--name", "US", "--timezone", "UTC").returncode == 0
    result = run("stories", "--edition", "us", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"stories": []}
