import html
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import clock
from headlines.digests import services as digest_services
from headlines.digests.models import Digest
from headlines.stories.models import Story
from headlines.stories.topics import topic_add
from tests import factories
from tests.digests.factories import NOON, messy_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    clock.set_clock(clock.FixedClock(NOON))
    made = factories.edition(slug="us", timezone="Europe/London")
    messy_day(made)
    return made


def build(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("digest", "build", *args, stdout=out)
    return out.getvalue()


def test_build_prints_text_html_and_json(edition) -> None:
    text = build("--edition", "us", "--date", "2026-11-25")
    assert text.startswith("Subject: ") and "Storm Bella" in text and "Unsubscribe:" in text
    html = build("--edition", "us", "--date", "2026-11-25", "--format", "html")
    assert html.lstrip().lower().startswith("<!doctype html>") or "<html" in html
    for body in (text, html):  # a preview: the reader's links named, no placeholder left over
        assert "[[" not in body and "the reader's own unsubscribe link" in body.replace(
            "&#x27;", "'"
        )
    payload = json.loads(build("--edition", "us", "--date", "2026-11-25", "--format", "json"))
    assert payload["edition"] == "us" and payload["state"] == "draft"
    assert payload["items"][0]["position"] == 1 and "Storm Bella" in payload["items"][0]["headline"]
    assert payload["web_url"].endswith("/archive/us/2026-11-25/")
    assert all(item["topics"] == [] for item in payload["items"])  # the edition has no topics


def test_build_without_a_base_url_says_where_its_links_point(
    edition, monkeypatch, tmp_path
) -> None:
    monkeypatch.delenv("HEADLINES_BASE_URL", raising=False)
    monkeypatch.setenv("HEADLINES_ENV_FILE", os.devnull)
    out, err = io.StringIO(), io.StringIO()
    call_command("digest", "build", "--edition", "us", "--format", "json", stdout=out, stderr=err)
    assert "HEADLINES_BASE_URL is unset, so links rendered here point at http" in err.getvalue()
    json.loads(out.getvalue())  # the note is not in the output a script reads
    monkeypatch.setenv("HEADLINES_BASE_URL", "https://news.example")
    err = io.StringIO()
    call_command("digest", "build", "--edition", "us", stdout=io.StringIO(), stderr=err)
    assert "HEADLINES_BASE_URL" not in err.getvalue()


def test_build_for_an_ascii_terminal_keeps_html_and_json_whole(edition) -> None:
    # Under `LC_ALL=C` each format stays itself: HTML with character references, JSON with
    # \\u escapes, not backslashed bytes no browser or parser reads.
    outputs = {}
    for fmt in ("html", "json"):
        out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
        call_command(
            "digest",
            "build",
            "--edition",
            "us",
            "--date",
            "2026-11-25",
            "--format",
            fmt,
            stdout=out,
        )
        out.flush()
        outputs[fmt] = out.buffer.getvalue().decode("ascii")  # type: ignore[attr-defined]
    whole = build("--edition", "us", "--date", "2026-11-25", "--format", "html")
    beyond_ascii = {ch for ch in whole if not ch.isascii()}
    assert beyond_ascii  # "·", "—": the test means something only if there is more than ASCII
    assert beyond_ascii <= set(html.unescape(outputs["html"]))
    assert "\\u" not in outputs["html"] and "\\x" not in outputs["html"]
    parsed = json.loads(outputs["json"])
    whole_json = json.loads(build("--edition", "us", "--date", "2026-11-25", "--format", "json"))
    assert [(i["headline"], i["summary"], i["sources"]) for i in parsed["items"]] == [
        (i["headline"], i["summary"], i["sources"]) for i in whole_json["items"]
    ]


def test_digest_json_lists_each_items_topics(edition) -> None:
    topic_add(edition="us", slug="world", name="World")
    build("--edition", "us", "--date", "2026-11-25")
    item = Digest.objects.get().items.order_by("position").first()
    assert item is not None
    digest_services.digest_item_update(item_id=item.pk, topics=["world"])
    payload = json.loads(build("--edition", "us", "--date", "2026-11-25", "--format", "json"))
    assert payload["items"][0]["topics"] == ["world"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "nope"], "no edition 'nope'"),
        (["--edition", "us", "--date", "2026-13-40"], "must be a date"),
        (["--edition", "us", "--date", "yesterday"], "must be a date"),
        (["--edition", "<script>", "--date", "2026-11-25"], "no edition"),
        (["--edition", "us", "--date", "0001-01-01"], "built for 0001-01-01: the day must be"),
        (["--edition", "us", "--date", "9999-12-31"], "must be between"),
    ],
)
def test_bad_slug_or_date_is_a_clear_error_and_stores_nothing(edition, args, message) -> None:
    with pytest.raises(CommandError, match=message) as caught:
        build(*args)
    assert caught.value.returncode == 2
    assert not Digest.objects.exists() and not Story.objects.exists()


def test_the_console_script_exits_2_on_a_bad_date(tmp_path) -> None:
    env = {"HEADLINES_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "headlines", "digest", "build", "--edition", "x", "--date", "nah"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "must be a date" in result.stderr


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (Digest.State.APPROVED, "was not rebuilt: it is approved; only a draft can be rebuilt"),
        (Digest.State.SENT, "was not rebuilt: it has been sent; readers already have this version"),
    ],
)
def test_build_of_a_digest_past_its_draft_says_it_was_not_rebuilt(edition, state, said) -> None:
    # An editor runs `digest build` to take in the articles that came late: on an approved or
    # sent digest it printed the old one, word for word as a rebuilt one, and said nothing.
    digest = digest_services.digest_build(edition_id=edition.pk, day=NOON.date())
    Digest.objects.filter(pk=digest.pk).update(state=state)
    out, err = io.StringIO(), io.StringIO()
    call_command("digest", "build", "--edition", "us", stdout=out, stderr=err)
    assert said in err.getvalue() and "Printed as it is." in err.getvalue()
    assert out.getvalue().startswith("Subject: ")  # the note is not in what a script reads
    err = io.StringIO()
    Digest.objects.filter(pk=digest.pk).update(state=Digest.State.DRAFT)
    call_command("digest", "build", "--edition", "us", stdout=io.StringIO(), stderr=err)
    assert "not rebuilt" not in err.getvalue()
