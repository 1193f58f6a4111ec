from __future__ import annotations

import os
import socket
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError

from headlines.core.command import (
    HeadlinesCommand,
    require_broker,
    require_database,
    unset_base_url_note,
    whole_number,
)


class Command(HeadlinesCommand):
    # The settings a public service must not run with (`core.checks`: a guessable secret key,
    # an http:// base URL), warned of once at start, as `headlines run` does: a distributed
    # tier's machines may run no `headlines run` at all.
    requires_system_checks = [checks.Tags.security]
    help = "Run a Celery worker of the distributed tier (needs HEADLINES_BROKER_URL)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--concurrency",
            type=whole_number(1, 256),
            default=None,
            help="Worker processes (or threads), 1 to 256 (default: one per core).",
        )
        parser.add_argument(
            "--pool",
            default="prefork",
            choices=["prefork", "threads", "solo"],
            help="Celery execution pool (default prefork).",
        )
        parser.add_argument(
            "--loglevel",
            default="INFO",
            type=str.upper,
            choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
            help="Celery log level (default INFO).",
        )
        parser.add_argument(
            "--queues",
            default="all",
            choices=["all", "short", "long"],
            help="Which jobs this worker takes: all (default); short ones only (sign-up emails: "
            "never held up by a send); long ones only (sends, ingest, builds).",
        )
        parser.add_argument(
            "--name",
            "-n",
            default=None,
            help="Node name, unique per worker (default: headlines@<host>-<pid>, so any number "
            "run side by side on one host).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONFIG["HEADLINES_BROKER_URL"]:
            raise CommandError(
                "HEADLINES_BROKER_URL is not set: the embedded tier runs its worker inside "
                "`headlines run`; set amqp://… or redis://… to run Celery workers.",
                returncode=2,
            )
        require_database()
        require_broker()
        if note := unset_base_url_note():
            self.stderr.write(note)
        from headlines.core.celery_app import app

        name = options["name"] or f"headlines@{socket.gethostname()}-{os.getpid()}"
        argv = [
            "worker",
            f"--hostname={name}",
            f"--loglevel={options['loglevel']}",
            f"--pool={options['pool']}",
            f"--queues={','.join(_queues(options['queues']))}",
        ]
        if options["concurrency"]:
            argv.append(f"--concurrency={options['concurrency']}")
        app.worker_main(argv)


def _queues(which: str) -> list[str]:
    from headlines.core.celery_app import queue_for

    short, long = queue_for(long=False), queue_for(long=True)
    return {"short": [short], "long": [long]}.get(which, [short, long])
