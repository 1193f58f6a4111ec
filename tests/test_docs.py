"""The docs cannot fall behind the code: every setting and `headlines` command is documented."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError

from headlines.config import SETTINGS
from headlines.core.management.commands.docs import END, START, settings_reference, with_reference

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS = ROOT / "docs" / "operations.md"


def test_the_configuration_reference_is_what_the_declaration_generates() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    assert with_reference(text) == text, "docs/operations.md is out of date: run `headlines docs`"


def test_the_reference_names_every_setting_with_its_default_and_help() -> None:
    reference = settings_reference()
    for setting in SETTINGS:
        row = next(line for line in reference.splitlines() if f"`{setting.name}`" in line)
        assert setting.help.split()[0] in row
        if setting.secret and setting.default is not None:
            assert str(setting.default) not in row


def test_every_headlines_command_is_in_the_readme_or_the_operations_guide() -> None:
    ours = sorted(name for name, app in get_commands().items() if app.startswith("headlines."))
    assert {"run", "worker", "scheduler", "docs"} <= set(ours)
    docs = (ROOT / "README.md").read_text() + (OPERATIONS).read_text()
    missing = [name for name in ours if not re.search(rf"\bheadlines {name}\b", docs)]
    assert not missing, f"undocumented commands: {missing}"


def test_the_command_rewrites_only_the_generated_block(tmp_path: Path, capsys) -> None:
    page = tmp_path / "ops.md"
    page.write_text(f"# Ops\n\nMine.\n\n{START}\nstale\n{END}\n\nAlso mine.\n")
    call_command("docs", path=page)
    text = page.read_text()
    assert text.startswith("# Ops\n\nMine.\n\n") and text.endswith("\n\nAlso mine.\n")
    assert "stale" not in text and "`HEADLINES_SMTP_URL`" in text
    call_command("docs", path=page, check=True)  # up to date now: no error
    assert "up to date" in capsys.readouterr().out


def test_check_fails_on_a_stale_file_and_writes_nothing(tmp_path: Path) -> None:
    page = tmp_path / "ops.md"
    stale = f"{START}\n| `HEADLINES_GONE` |\n{END}\n"
    page.write_text(stale)
    with pytest.raises(CommandError, match="out of date") as caught:
        call_command("docs", path=page, check=True)
    assert caught.value.returncode == 1
    assert page.read_text() == stale


@pytest.mark.parametrize(
    "content",
    [
        "# no markers at all\n",
        f"{START}\n{START}\n{END}\n",
        f"{END}\nbackwards\n{START}\n",
        f"{START}\nonly the start\n",
    ],
)
def test_missing_or_garbled_markers_are_a_clear_error_and_nothing_changes(
    tmp_path: Path, content: str
) -> None:
    page = tmp_path / "ops.md"
    page.write_text(content)
    with pytest.raises(CommandError, match="marker") as caught:
        call_command("docs", path=page)
    assert caught.value.returncode == 2
    assert page.read_text() == content


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read"):
        call_command("docs", path=tmp_path / "missing.md")
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\xff\xfe\x00junk")
    with pytest.raises(CommandError, match="cannot read"):
        call_command("docs", path=binary)
