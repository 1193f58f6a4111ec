import contextlib
import csv
import datetime as dt
import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from headlines.subscriptions import csvfiles
from headlines.subscriptions.models import Subscriber
from headlines.subscriptions.services import subscription_import_confirmed
from tests.subscriptions import factories

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("subscribers", *args, stdout=out)
    return out.getvalue()


def test_an_import_whose_every_row_is_bad_exits_2(edition, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("email,consent_source,consent_at\nnot-an-address,web,2024-01-01T00:00:00Z\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("subscribers", "import", str(path), "--edition", "us", stdout=out)
    assert caught.value.returncode == 2  # nothing done
    assert "'not-an-address' is not a valid address" in out.getvalue()
    assert not Subscriber.objects.exists()


def test_import_reports_bad_rows_by_line_and_exits_1(edition, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "email,consent_source,consent_at\n"
        "ok@example.com,web,2024-01-01T00:00:00Z\n"
        "[bold red]@x,web,2024-01-01T00:00:00Z\n"
        + "long@example.com,"
        + "x" * 200_000
        + ",2024-01-01T00:00:00Z\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("subscribers", "import", str(path), "--edition", "us", stdout=out)
    assert caught.value.returncode == 1
    text = out.getvalue()
    assert "Import into us: 3 row(s) read: 1 new, 0 changed, 0 already there, 2 not" in text
    assert "'[bold red]@x' is not a valid address" in text  # shown literally, never as markup
    assert "│ 4 " in text
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ok@example.com"]


def test_import_of_a_clean_file_exits_0(edition, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text(
        "\ufeffemail,consent_source,consent_at,marketing\nok@example.com,web,2024-01-01T00:00:00Z,yes\n"
    )
    first = run("import", str(path), "--edition", "us")
    assert "1 row(s) read: 1 new, 0 changed, 0 already there, 0 not imported." in first
    again = run("import", str(path), "--edition", "us")
    assert "1 row(s) read: 0 new, 0 changed, 1 already there, 0 not imported." in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nonexistent/file.csv", "--edition", "us"], "cannot read"),
        (["import", "{path}", "--edition", "nope"], "no edition 'nope'"),
    ],
)
def test_import_errors_exit_2_with_a_clear_message(edition, tmp_path, args, message) -> None:
    path = tmp_path / "x.csv"
    path.write_text("email,consent_source,consent_at\n")
    with pytest.raises(CommandError, match=message) as caught:
        run(*[a.format(path=path) for a in args])
    assert caught.value.returncode == 2


def test_export_writes_csv_with_each_subscriptions_status(edition, uk, tmp_path) -> None:
    factories.confirmed(edition, email="a@example.com")
    factories.confirmed(uk, email="b@example.com")
    rows = list(csv.DictReader(io.StringIO(run("export"))))
    assert [(r["email"], r["edition"], r["status"]) for r in rows] == [
        ("a@example.com", "us", "confirmed"),
        ("b@example.com", "uk", "confirmed"),
    ]
    rows = list(csv.DictReader(io.StringIO(run("export", "--edition", "uk"))))
    assert [r["email"] for r in rows] == ["b@example.com"]
    target = tmp_path / "out.csv"
    run("export", "--output", str(target))
    assert target.read_text().startswith("email,name,edition,status")


def test_an_export_file_is_for_its_owner_alone_unless_it_replaces_one(edition, tmp_path) -> None:
    # Readers' addresses: the file was 0644 under the usual umask, readable by every local
    # account (the backup of the same data is 0600). A file it replaces keeps the mode its
    # owner gave it (a group's export share).
    factories.confirmed(edition, email="a@example.com")
    target = tmp_path / "readers.csv"
    run("export", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    shared = tmp_path / "shared.csv"
    shared.write_text("last week's\n")
    shared.chmod(0o640)
    run("export", "--output", str(shared))
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640 and "a@example.com" in shared.read_text()


def test_an_export_to_an_ascii_terminal_is_utf8_and_whole(edition) -> None:
    # Under `LC_ALL=C`, "Zoë" left as "Zo\\xeb" would be a CSV that imports another name.
    subscription_import_confirmed(
        email="zoe@example.com",
        edition_id=edition.pk,
        consent_source="the Nîmes café list",
        consent_at=dt.datetime(2026, 1, 2, 9, 30, tzinfo=dt.UTC),
        name="Zoë 日本",
    )
    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    call_command("subscribers", "export", stdout=ascii_out)
    ascii_out.flush()
    raw = ascii_out.buffer.getvalue()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert [r["name"] for r in rows] == ["Zoë 日本"]


def test_export_carries_each_readers_topics_as_the_import_reads_them(edition, tmp_path) -> None:
    from headlines.stories.topics import topic_add

    topic_add(edition="us", slug="world", name="World")
    topic_add(edition="us", slug="sport", name="Sport")
    path = tmp_path / "readers.csv"
    path.write_text(
        "email,consent_source,consent_at,topics\n"
        "a@example.com,paper form,2026-01-02T09:00:00Z,sport;world\n"
        "b@example.com,paper form,2026-01-02T09:00:00Z,\n"
    )
    run("import", str(path), "--edition", "us")
    rows = list(csv.DictReader(io.StringIO(run("export", "--edition", "us"))))
    assert [(r["email"], r["topics"]) for r in rows] == [
        ("a@example.com", "world;sport"),
        ("b@example.com", ""),
    ]


def test_an_export_that_cannot_be_written_says_so_and_keeps_the_old_file(edition, tmp_path) -> None:
    factories.confirmed(edition, email="a@example.com")
    kept = tmp_path / "readers.csv"
    kept.write_text("last week's export\n")
    cases = [
        (["--edition", "nope", "--output", str(kept)], "no edition 'nope'"),
        (["--edition", "", "--output", str(kept)], "no edition ''"),  # not every edition's
        (["--output", str(tmp_path / "missing" / "out.csv")], "cannot write .*: No such file"),
        (["--output", str(tmp_path)], "cannot write .*: Is a directory"),
        (["--output", ""], "names no file"),
        (["--output", f"{tmp_path}/readers/"], "names no file"),  # was written as ./readers
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message) as caught:
            run("export", *args)
        assert caught.value.returncode == 2  # nothing done, no traceback
    assert kept.read_text() == "last week's export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["readers.csv"]  # no leftovers
    run("export", "--output", str(kept))
    assert "a@example.com" in kept.read_text()


def test_an_export_whose_reader_leaves_early_stops_quietly(tmp_path: Path) -> None:
    # `headlines subscribers export | head -1` printed "Exception ignored in: <generator
    # object cursor_iter …>" and a traceback: the rows still unread closed their cursor only
    # at the interpreter's exit, after the database connection had closed.
    env = {
        "HEADLINES_DATA_DIR": str(tmp_path / "var"),
        "HEADLINES_ENV_FILE": os.devnull,
        "PATH": "/usr/bin:/bin",
    }

    def headlines(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "headlines", *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    readers = tmp_path / "readers.csv"
    readers.write_text(
        "email,consent_source,consent_at\n"
        + "".join(f"reader{n}@example.com,paper form,2024-05-01T09:30:00Z\n" for n in range(1500))
    )
    headlines("migrate", "-v", "0")
    headlines("edition", "add", "us", "--name", "US", "--timezone", "America/New_York")
    headlines("subscribers", "import", str(readers), "--edition", "us")
    with subprocess.Popen(
        [sys.executable, "-m", "headlines", "subscribers", "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
    ) as export:
        assert export.stdout is not None and export.stderr is not None
        assert export.stdout.readline().startswith(b"email,name,edition,status")
        export.stdout.close()  # its rows run well past a pipe's 64 KiB
        stderr = export.stderr.read().decode()
        assert export.wait(timeout=120) == 141, stderr
    assert stderr == ""


def test_a_dash_is_standard_input_for_import_and_standard_output_for_export(
    edition, tmp_path, monkeypatch
) -> None:
    # `… | headlines subscribers import - --edition us` said "cannot read -: No such file or
    # directory", and `export --output -` wrote a file named "-".
    csv_text = "email,consent_source,consent_at\nok@example.com,web,2024-01-01T00:00:00Z\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(csv_text.encode())))
    monkeypatch.chdir(tmp_path)
    assert "1 row(s) read: 1 new" in run("import", "-", "--edition", "us")
    rows = list(csv.DictReader(io.StringIO(run("export", "--output", "-"))))
    assert [r["email"] for r in rows] == ["ok@example.com"]
    assert list(tmp_path.iterdir()) == []


def test_an_import_of_a_dash_with_standard_input_closed_is_refused_not_a_crash(
    edition, monkeypatch
) -> None:
    # A cron job or service started with its input closed (`0<&-`) has no sys.stdin: the
    # import crashed reaching for it (AttributeError, exit 3).
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(CommandError) as refused:
        run("import", "-", "--edition", "us")
    assert refused.value.returncode == 2
    assert str(refused.value) == "- names standard input, which is closed: pipe the input in"


@pytest.mark.parametrize("name", ["", " "])
def test_an_empty_file_argument_is_named_as_such(edition, name) -> None:
    # Path("") is the working folder: it said "cannot read .: Is a directory".
    with pytest.raises(CommandError, match="an empty argument names no file") as caught:
        run("import", name, "--edition", "us")
    assert caught.value.returncode == 2


def test_the_help_names_every_column_the_import_reads(capsys) -> None:
    # It left out `topics`, which PRODUCT.md and the import itself take.
    with pytest.raises(SystemExit):
        call_command("subscribers", "--help")
    help_text = " ".join(capsys.readouterr().out.split())
    assert all(column in help_text for column in csvfiles.REQUIRED + csvfiles.OPTIONAL)


def test_a_pipe_or_device_is_refused_as_the_csv_or_the_export_and_stays_one(
    edition, tmp_path
) -> None:
    # `subscribers import` of a named pipe no one wrote to waited for ever (and /dev/zero
    # filled the memory); `export --output` of one moved a plain file over it (as root, over
    # /dev/null too). `import` and `extract` refuse such paths already.
    factories.confirmed(edition, email="a@example.com")
    pipe = tmp_path / "readers.csv"
    os.mkfifo(pipe)

    def let_go() -> None:  # should the pipe be opened after all: a writer, not a hung suite
        with contextlib.suppress(OSError):
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    unblock = threading.Timer(3, let_go)
    unblock.start()
    try:
        for args, said in [
            (["import", str(pipe), "--edition", "us"], "pipe the CSV into - instead"),
            (["import", "/dev/null", "--edition", "us"], "pipe the CSV into - instead"),
            (["export", "--output", str(pipe)], "leave --output out and redirect"),
        ]:
            with pytest.raises(
                CommandError, match=r"not a file \(a device, a pipe or a socket\)"
            ) as caught:
                run(*args)
            assert said in str(caught.value)
            assert caught.value.returncode == 2
    finally:
        unblock.cancel()
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["readers.csv"]  # no leftovers
