"""Fast start: what every process loads (the CLI, Django with its admin and jobs registries, the
URLconf and its views, the Celery app, every command's module) never pulls in the libraries
that only ingesting and story-building need. Checked in a fresh interpreter by `sys.modules`,
so an import added at the top of any module on that path fails here, whatever the timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ["numpy", "scipy", "sklearn", "datasketch", "trafilatura", "lxml", "htmldate", "justext"]

CHILD = """
import io, json, sys
from headlines import cli
import django
django.setup()
from django.core.management import call_command, get_commands, load_command_class
from django.urls import get_resolver
from headlines.core import celery_app, jobs
assert jobs.registered(), "the jobs registry is empty"
from django.contrib import admin
from django.core import checks
assert not admin.site._registry, "the admin's modules were read at start-up"
assert checks.run_checks(tags=["admin"]) == []  # the admin's checks read its modules first
assert admin.site._registry, "the admin's checks saw no registry"
get_resolver().url_patterns  # the URLconf and every view module
for name, app in get_commands().items():
    if app.startswith("headlines."):
        load_command_class(app, name)
call_command("migrate", verbosity=0)
call_command("edition", "list", stdout=io.StringIO())
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_commands_web_and_workers_start_without_the_heavy_libraries(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "headlines.settings",
            "HEADLINES_DATA_DIR": str(tmp_path),
            "HEADLINES_ENV_FILE": os.devnull,
            "HEADLINES_BROKER_URL": "redis://127.0.0.1:1/0",  # never contacted: only configured
            "PATH": "/usr/bin:/bin",
        },
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "django" in loaded and "celery" in loaded  # the check saw a real start-up
    assert not loaded & set(HEAVY), f"loaded at start-up: {sorted(loaded & set(HEAVY))}"


# What a short command (`headlines edition list`) loads beyond that: not the API's framework nor
# an HTTP client; the web server and the workers load them when they first need them.
COMMAND_ONLY = ["ninja", "pydantic", "httpx"]
COMMAND_NOT = [
    "headlines.subscriptions.admin",
    "headlines.digests.admin",
    "headlines.digests.services",
    "headlines.delivery.services",
    "headlines.intake.services",
    "headlines.intake.scrubbing.patterns",
    "headlines.subscriptions.csvfiles",
    "headlines.subscriptions.emails",
    "headlines.webhooks.runner",
]

SHORT = """
import json, sys
from headlines import cli
sys.argv = ["headlines", "edition", "list"]
try:
    cli.main()
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(sys.modules)))
"""


def test_a_short_command_loads_neither_the_api_framework_nor_an_http_client(
    tmp_path: Path,
) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "headlines.settings",
        "HEADLINES_DATA_DIR": str(tmp_path),
        "HEADLINES_ENV_FILE": os.devnull,
        "PATH": "/usr/bin:/bin",
    }
    migrate = [sys.executable, "-m", "headlines", "migrate", "-v0"]
    subprocess.run(migrate, env=env, cwd=tmp_path, timeout=120, check=True)
    done = subprocess.run(
        [sys.executable, "-c", SHORT],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout.splitlines()[-1]))
    loaded = {name.split(".")[0] for name in modules}
    assert "django" in loaded and "headlines" in loaded
    assert not loaded & set(COMMAND_ONLY + HEAVY), sorted(loaded & set(COMMAND_ONLY + HEAVY))
    # Nor the admin's modules and the services behind them, nor the jobs' services: the admin
    # is read by the URLconf, each job imports its services when it runs.
    assert "headlines.core.jobs" in modules and "headlines.delivery.jobs" in modules
    assert not modules & set(COMMAND_NOT), sorted(modules & set(COMMAND_NOT))
