"""What a new installation writes in its data folder: the secrets and readers' addresses are
its owner's alone, whatever the umask lets other files be."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

CHILD = """
import os
os.umask(0o022)
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
"""


def test_a_new_data_folders_key_and_database_are_for_their_owner_alone(tmp_path: Path) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "headlines.settings",
        "HEADLINES_DATA_DIR": str(tmp_path),
        "HEADLINES_ENV_FILE": os.devnull,
        "PATH": "/usr/bin:/bin",
    }

    def start() -> None:
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    start()
    key = (tmp_path / "secret_key").read_text()
    start()  # made once, then read as it is
    assert (tmp_path / "secret_key").read_text() == key and len(key) >= 50
    private = ["secret_key", "headlines.sqlite3"] + [
        p.name for p in tmp_path.iterdir() if p.name.startswith("headlines.sqlite3-")
    ]
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in private}
    assert modes == {name: 0o600 for name in private}
    assert not [p.name for p in tmp_path.iterdir() if "partial" in p.name]
