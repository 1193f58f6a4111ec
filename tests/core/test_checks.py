"""Start-up checks: `headlines run` (and `headlines check`) warn of settings a public service
must not run with, before anything starts."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

import pytest
from django.core import checks

from tests.delivery.children import Installation

# 67 random characters, as `secrets.token_urlsafe(50)` makes them.
STRONG = "Vq3xZ0_kT8mPa1LrYw5NcJh7GdUe2Bs9Fo4Ki6Xt-Ql0Rz8Hv3Wn5Mj1Cp7Ey2Sb9Du4"


@pytest.mark.parametrize(
    "key",
    ["x", "changeme", "CHANGEME", "secret", STRONG[:49], "ab" * 40, "django-insecure-" + STRONG],
)
def test_a_guessable_secret_key_is_warned_of(settings, monkeypatch, key: str) -> None:
    # Links are signed with it: "x" or "changeme" let anyone forge any reader's unsubscribe,
    # preferences or confirmation link, and nothing said so.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", key)
    settings.SECRET_KEY = key
    [warning] = [m for m in checks.run_checks() if m.id == "headlines.W001"]
    assert warning.level == checks.WARNING
    assert warning.msg.startswith("HEADLINES_SECRET_KEY ")
    if len(key) > 10:  # a log must not hold the key ("secret" is a word of the hint)
        assert key not in warning.msg + str(warning.hint)


@pytest.mark.parametrize("key", [None, STRONG])
def test_a_generated_or_strong_key_passes(settings, monkeypatch, key: str | None) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", key)
    assert "headlines.W001" not in [m.id for m in checks.run_checks()]


def test_debug_mode_is_not_warned_of_its_key(settings, monkeypatch) -> None:
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", "x")
    settings.DEBUG = True
    assert "headlines.W001" not in [m.id for m in checks.run_checks()]


def test_the_distributed_tier_without_a_shared_key_is_warned_of(settings, monkeypatch) -> None:
    # Each machine's worker generated its own key: its emails' unsubscribe links were refused
    # by the web on another machine ("This link is not valid"), and nothing said why.
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", None)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_BROKER_URL", "redis://127.0.0.1:6379/7")
    [warning] = [m for m in checks.run_checks() if m.id == "headlines.W003"]
    assert warning.msg.startswith("HEADLINES_SECRET_KEY is unset while HEADLINES_BROKER_URL")
    assert "secret_key" in warning.msg and "every machine" in str(warning.hint)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", STRONG)
    assert "headlines.W003" not in [m.id for m in checks.run_checks()]
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_SECRET_KEY", None)
    monkeypatch.setitem(settings.CONFIG, "HEADLINES_BROKER_URL", "")  # the embedded tier
    assert "headlines.W003" not in [m.id for m in checks.run_checks()]


def test_headlines_check_says_so_on_stderr_and_still_starts(tmp_path: Path) -> None:
    weak = Installation(tmp_path, HEADLINES_SECRET_KEY="changeme").run("check")
    assert "(headlines.W001) HEADLINES_SECRET_KEY is a well-known default" in weak.stderr
    assert "token_urlsafe(50)" in weak.stderr
    fine = Installation(tmp_path, HEADLINES_SECRET_KEY=STRONG).run("check")
    assert "headlines.W001" not in fine.stderr


@pytest.mark.parametrize(
    "url", ["http://news.example", "http://203.0.113.7:8000", "HTTP://News.example/"]
)
def test_a_public_http_base_url_is_warned_of_for_one_click_unsubscribe(settings, url: str) -> None:
    # RFC 8058 one-click needs an https:// List-Unsubscribe URL: mailbox providers show no
    # one-click button over http://, and nothing said why.
    settings.BASE_URL = url
    [warning] = [m for m in checks.run_checks() if m.id == "headlines.W002"]
    assert "RFC 8058" in warning.msg and "https://" in str(warning.hint)


@pytest.mark.parametrize(
    "url",
    ["https://news.example", "http://127.0.0.1:8000", "http://localhost:8765", "http://[::1]:80"],
)
def test_https_or_a_loopback_base_url_passes(settings, url: str) -> None:
    settings.BASE_URL = url
    assert "headlines.W002" not in [m.id for m in checks.run_checks()]


def test_debug_mode_is_not_warned_of_http(settings) -> None:
    settings.BASE_URL, settings.DEBUG = "http://news.example", True
    assert "headlines.W002" not in [m.id for m in checks.run_checks()]


def test_the_http_warning_names_no_password_from_the_url(settings) -> None:
    settings.BASE_URL = "http://desk:hunter2@news.example:8080"
    [warning] = [m for m in checks.run_checks() if m.id == "headlines.W002"]
    assert "http://news.example:8080" in warning.msg and "hunter2" not in warning.msg


def test_headlines_check_warns_of_an_http_base_url_on_stderr(tmp_path: Path) -> None:
    url = "http://news.example"
    plain = Installation(tmp_path, HEADLINES_BASE_URL=url).run("check")
    assert "(headlines.W002) HEADLINES_BASE_URL is http://news.example: RFC 8058" in plain.stderr
    secure = Installation(tmp_path, HEADLINES_BASE_URL="https://news.example").run("check")
    assert "headlines.W002" not in secure.stderr


@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_the_distributed_tiers_processes_warn_once_at_start_as_run_does(
    tmp_path: Path, command: str
) -> None:
    # A distributed tier's machines may run no `headlines run`: a guessable key and an http://
    # base URL went unsaid there. (No broker here: the warnings come before the refusal.)
    site = Installation(
        tmp_path, HEADLINES_SECRET_KEY="changeme", HEADLINES_BASE_URL="http://news.example"
    )
    started = subprocess.run(
        site.command(command), env=site.env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 2 and "HEADLINES_BROKER_URL is not set" in started.stderr
    for warning in (
        "(headlines.W001) HEADLINES_SECRET_KEY is a well-known default",
        "(headlines.W002) HEADLINES_BASE_URL is http://news.example: RFC 8058",
    ):
        assert started.stderr.count(warning) == 1
    fine = subprocess.run(
        site.command(command),
        env={
            **site.env,
            "HEADLINES_SECRET_KEY": STRONG,
            "HEADLINES_BASE_URL": "https://news.example",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fine.returncode == 2 and "System check" not in fine.stderr


# What a data folder made by a release before its files were made 0600 holds (umask 022).
OLD_RELEASE_FILES = ("headlines.sqlite3", "headlines.sqlite3-wal", "headlines.sqlite3-shm")


def _made_by_an_earlier_release(folder: Path, names: tuple[str, ...]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = [folder / name for name in names]
    for path in made:
        path.touch()
        path.chmod(0o644)
    return made


def test_a_secret_key_others_may_read_is_warned_of_with_the_chmod(settings, tmp_path) -> None:
    # Upgraded in place, a data folder kept the 0644 its key was made with: any local account
    # could read it and forge every reader's unsubscribe link, and nothing said so.
    settings.DATA_DIR = tmp_path
    [key] = _made_by_an_earlier_release(tmp_path, ("secret_key",))
    [warning] = [m for m in checks.run_checks() if m.id == "headlines.W005"]
    assert warning.level == checks.WARNING
    assert f"{key} (0644)" in warning.msg
    assert f"`chmod 600 {key}`" in str(warning.hint)
    assert oct(key.stat().st_mode & 0o777) == "0o644", "warned of, not changed"
    for mode in (0o640, 0o604, 0o660, 0o602):
        key.chmod(mode)
        [warning] = [m for m in checks.run_checks() if m.id == "headlines.W005"]
        assert f"({mode:04o})" in warning.msg
    for mode in (0o600, 0o400):
        key.chmod(mode)
        assert "headlines.W005" not in [m.id for m in checks.run_checks()]


def test_check_run_and_worker_name_the_data_files_others_may_read(tmp_path: Path) -> None:
    data = tmp_path / "var data"  # a space: the command must still be one to paste
    site = Installation(data)
    files = _made_by_an_earlier_release(data, (*OLD_RELEASE_FILES, "secret_key"))
    command = "chmod 600 " + " ".join(f"'{path}'" for path in [*files[3:], *files[:3]])
    said = site.run("check").stderr
    assert "(headlines.W005) the data folder's files are readable" in said
    for path in files:
        assert f"{path} (0644)" in said
    assert f"`{command}`" in said
    assert {oct(path.stat().st_mode & 0o777) for path in files} == {"0o644"}, "not changed"
    for start in (["worker"], ["run", "--host", "nosuch.invalid"]):  # both stop after the checks
        _made_by_an_earlier_release(data, (*OLD_RELEASE_FILES, "secret_key"))
        started = subprocess.run(
            site.command(*start), env=site.env, capture_output=True, text=True, timeout=60
        )
        assert started.stderr.count("(headlines.W005)") == 1 and command in started.stderr
    _made_by_an_earlier_release(data, (*OLD_RELEASE_FILES, "secret_key"))
    subprocess.run(shlex.split(command), check=True)  # the command as said mends them all
    assert "headlines.W005" not in site.run("check").stderr


def test_a_new_data_folder_is_not_warned_of(tmp_path: Path) -> None:
    site = Installation(tmp_path, HEADLINES_SECRET_KEY="")
    site.run("migrate", "--noinput")
    assert (tmp_path / "secret_key").exists() and (tmp_path / "headlines.sqlite3").exists()
    assert "headlines.W005" not in site.run("check").stderr
    assert os.stat(tmp_path / "secret_key").st_mode & 0o077 == 0
