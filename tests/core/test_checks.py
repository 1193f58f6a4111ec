"""Start-up checks: `headlines run` (and `headlines check`) warn of settings a public service
must not run with, before anything starts."""

from __future__ import annotations

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


def test_headlines_check_says_so_on_stderr_and_still_starts(tmp_path: Path) -> None:
    weak = Installation(tmp_path, HEADLINES_SECRET_KEY="changeme").run("check")
    assert "(headlines.W001) HEADLINES_SECRET_KEY is a well-known default" in weak.stderr
    assert "token_urlsafe(50)" in weak.stderr
    fine = Installation(tmp_path, HEADLINES_SECRET_KEY=STRONG).run("check")
    assert "headlines.W001" not in fine.stderr
