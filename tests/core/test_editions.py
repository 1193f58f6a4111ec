import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from headlines.core import selectors, services
from headlines.core.errors import Conflict, InvalidInput, NotFound
from headlines.core.models import Edition

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_edition_add_and_list_from_the_command_line() -> None:
    out = run(
        "edition", "add", "us", "--name", "US Evening Headlines", "--timezone", "America/New_York"
    )
    assert "Created edition us" in out
    run(
        "edition",
        "add",
        "uk",
        "--name",
        "UK Evening Headlines",
        "--timezone",
        "Europe/London",
        "--send-at",
        "17:30",
    )
    listing = run("edition", "list")
    assert "US Evening Headlines" in listing and "America/New_York" in listing
    assert "17:30" in listing
    assert "approved then if no editor did" in out  # the default is said where it is chosen
    assert selectors.edition_get(slug="us").auto_approve
    uk = selectors.edition_get(slug="uk")
    assert uk.send_at == dt.time(17, 30)
    assert uk.list_id.startswith("uk.")


def test_an_edition_whose_digests_wait_for_an_editor() -> None:
    out = run("edition", "add", "ngo", "--name", "NGO Brief", "--timezone", "UTC", "--review")
    assert "waits for an editor's approval" in out
    assert not selectors.edition_get(slug="ngo").auto_approve
    row = next(line for line in run("edition", "list").splitlines() if "NGO Brief" in line)
    assert "required" in row and "optional" not in row


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["BAD SLUG!", "--name", "X", "--timezone", "UTC"], "slug .BAD SLUG!. must be"),
        (["ok", "--name", "X", "--timezone", "Mars/Olympus"], "unknown time zone"),
        (["ok", "--name", "X", "--timezone", "UTC", "--send-at", "25:00"], "HH:MM"),
        (["ok", "--name", "bad\x00name", "--timezone", "UTC"], "printable"),
        # DEL and the C1 controls passed `ord(c) < 32`: "\x9b" is a terminal's CSI, and the
        # name goes into every digest's From and Subject.
        (["ok", "--name", "US\x9b2J Evening", "--timezone", "UTC"], "printable"),
        (["ok", "--name", "US\x7f", "--timezone", "UTC"], "printable"),
        (["ok", "--name", "X", "--timezone", "../../etc/passwd"], "time zone"),
        (["ok", "--name", "X", "--timezone", "America"], "unknown time zone"),
        # Opened by zoneinfo, but no place's time: a placeholder, this machine's own zone, the
        # database's leap-second copy.
        (["ok", "--name", "X", "--timezone", "Factory"], "unknown time zone"),
        (["ok", "--name", "X", "--timezone", "localtime"], "unknown time zone"),
        (["ok", "--name", "X", "--timezone", "posixrules"], "unknown time zone"),
        (["ok", "--name", "X", "--timezone", "right/Europe/London"], "unknown time zone"),
        (["ok", "--name", "X", "--timezone", "posix/Europe/London"], "unknown time zone"),
    ],
)
def test_bad_edition_input_is_refused_and_nothing_stored(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("edition", "add", *args)
    assert Edition.objects.count() == 0


def test_an_edition_name_is_one_line_in_any_script() -> None:
    run("edition", "add", "fr", "--name", "Le soir\u2028: l\u2019essentiel", "--timezone", "UTC")
    run("edition", "add", "jp", "--name", "夕刊ヘッドライン", "--timezone", "Asia/Tokyo")
    names = dict(Edition.objects.values_list("slug", "name"))
    assert names == {"fr": "Le soir : l\u2019essentiel", "jp": "夕刊ヘッドライン"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"from_name": "Desk\x1b[2J"}, "from_name"),
        ({"list_id": "us headlines"}, "list_id"),
        ({"list_id": "us.example.com\r\nBcc: x@y.example"}, "list_id"),
        ({"list_id": "x" * 201}, "list_id"),
    ],
)
def test_a_from_name_or_list_id_no_email_may_carry_is_refused(
    changes: dict[str, str], field: str
) -> None:
    # The admin holds these fields to the same rules (core.admin.EditionForm).
    with pytest.raises(InvalidInput) as refused:
        services.edition_create(slug="us", name="US", timezone="UTC", **changes)
    assert refused.value.field == field
    assert Edition.objects.count() == 0


def test_duplicate_slug_is_a_conflict() -> None:
    services.edition_create(slug="us", name="US", timezone="UTC")
    with pytest.raises(Conflict):
        services.edition_create(slug="us", name="Other", timezone="UTC")
    assert Edition.objects.get().name == "US"


def test_edition_get_names_the_known_ones() -> None:
    services.edition_create(slug="us", name="US", timezone="UTC")
    with pytest.raises(NotFound, match="known: us"):
        selectors.edition_get(slug="fr")


def test_an_edition_is_found_by_the_slug_as_it_was_typed_to_add_it() -> None:
    # `edition add US` stores `us`; `--edition US` on the next command said "no edition 'US'".
    run("edition", "add", "US", "--name", "US Evening Headlines", "--timezone", "UTC")
    assert selectors.edition_get(slug="US").slug == "us"
    assert selectors.edition_get(slug=" us ").slug == "us"
    assert "world" in run("topic", "add", "world", "--edition", "US", "--name", "World")
    with pytest.raises(NotFound, match="no edition 'UK'"):
        selectors.edition_get(slug="UK")


def test_demo_editions_are_us_and_uk_and_idempotent() -> None:
    first = services.editions_ensure_demo()
    second = services.editions_ensure_demo()
    assert [e.pk for e in first] == [e.pk for e in second]
    assert {e.slug: e.timezone for e in first} == {"us": "America/New_York", "uk": "Europe/London"}


def test_invalid_input_carries_the_field() -> None:
    with pytest.raises(InvalidInput) as info:
        services.edition_create(slug="x", name="X", timezone="UTC", send_at="noon")
    assert info.value.field == "send_at"


def test_a_database_that_was_never_migrated_gets_a_clear_instruction(tmp_path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HEADLINES_DATA_DIR": str(tmp_path), "HEADLINES_DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "headlines", "edition", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "run `headlines migrate` first" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_open_edition_a_door_reads_follows_every_save_and_delete() -> None:
    edition = services.edition_create(slug="us", name="US", timezone="UTC")
    found = selectors.edition_open(slug="us")
    assert found is not None and found.pk == edition.pk
    found.name = "changed by a caller"  # each caller gets its own copy
    assert selectors.edition_open(slug="us").name == "US"
    edition.enabled = False
    edition.save()
    assert selectors.edition_open(slug="us") is None
    assert selectors.edition_open(pk=edition.pk) is None
    edition.enabled = True
    edition.save()
    assert selectors.edition_open(pk=edition.pk).slug == "us"
    edition.delete()
    assert selectors.edition_open(slug="us") is None


def test_slugs_nobody_made_leave_the_kept_editions_small() -> None:
    services.edition_create(slug="us", name="US", timezone="UTC")
    for n in range(1000):
        assert selectors.edition_open(slug=f"no-such-{n}") is None
    assert len(selectors._open) <= selectors._OPEN_MAX
    assert selectors.edition_open(slug="us") is not None


@pytest.mark.parametrize("typed", ["english", "e", "zz", "en US", "en-<b>", "de\x00", "x" * 17])
def test_an_edition_language_that_is_no_language_code_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match="is not a language code such as en, de or pt-BR"):
        services.edition_create(slug="us", name="US", timezone="UTC", language=typed)
    assert not Edition.objects.exists()
    with pytest.raises(CommandError, match="is not a language code"):
        run("edition", "add", "us", "--name", "US", "--timezone", "UTC", "--language", typed)
    assert not Edition.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("en", "en"),
        ("PT_br", "pt-BR"),
        (" de-at ", "de-AT"),
        ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("fil", "fil"),
    ],
)
def test_an_edition_language_is_stored_in_its_usual_spelling(typed: str, stored: str) -> None:
    edition = services.edition_create(slug="us", name="US", timezone="UTC", language=typed)
    assert edition.language == stored


def test_the_admin_form_refuses_a_language_that_is_no_code() -> None:
    from django.core.exceptions import ValidationError

    edition = services.edition_create(slug="us", name="US", timezone="UTC")
    edition.language = "english"
    with pytest.raises(ValidationError) as refused:
        edition.full_clean()
    assert "language" in refused.value.message_dict


def test_the_help_gives_the_privacy_notice_the_edition_gets(capsys) -> None:
    # It said "(default: none)", and the edition got the built-in notice.
    with pytest.raises(SystemExit):
        call_command("edition", "add", "--help")
    assert "HEADLINES_BASE_URL/privacy/" in " ".join(capsys.readouterr().out.split())
    run("edition", "add", "us", "--name", "US", "--timezone", "UTC")
    assert Edition.objects.get().privacy_link == f"{settings.BASE_URL}/privacy/"


def test_a_name_that_looks_like_markup_is_listed_as_typed() -> None:
    # `edition list` read names as rich markup: "[/x]" crashed it (MarkupError, exit 3).
    run("edition", "add", "us", "--name", "[/x] US [bold]Evening", "--timezone", "UTC")
    assert "[/x] US [bold]Evening" in run("edition", "list")
