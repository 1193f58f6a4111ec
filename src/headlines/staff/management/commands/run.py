from __future__ import annotations

import logging
import os
import signal
from argparse import ArgumentParser
from functools import partial
from typing import Any

from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from headlines.cli import EXIT_NOTHING_DONE
from headlines.config import SETTINGS, given
from headlines.core import jobs
from headlines.core.command import (
    HeadlinesCommand,
    database_usable,
    warn_of_a_newer_database,
    whole_number,
)
from headlines.core.supervisor import (
    Role,
    Supervisor,
    cpu_count,
    stacks_on_request,
    stop_on_signal,
)
from headlines.core.webserver import (
    keepalive_checked,
    listening_socket,
    waitress_options,
    web_process_main,
)

log = logging.getLogger(__name__)

PROCESSES = next(s for s in SETTINGS if s.name == "HEADLINES_WEB_PROCESSES")
# More threads than this only queue on the interpreter lock (and on SQLite's write lock); 100000
# ended every web process at start.
MAX_THREADS = 256


class Command(HeadlinesCommand):
    requires_system_checks = "__all__"  # the service starts: check everything first
    help = (
        "Run the service: web processes and a worker-and-scheduler process, started and "
        "stopped together (with HEADLINES_BROKER_URL set, the web alone: Celery workers and "
        "`headlines scheduler` do the rest). --demo also serves a sample newsroom on localhost "
        "and ingests it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Serve and ingest a sample newsroom."
        )
        parser.add_argument(
            "--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1)."
        )
        parser.add_argument(
            "--port",
            type=whole_number(1, 65535),
            default=8000,
            help="Port to listen on (default 8000).",
        )
        parser.add_argument(
            "--processes",
            type=whole_number(int(PROCESSES.minimum or 0), int(PROCESSES.maximum or 0)),
            default=None,
            help=f"Web processes, {PROCESSES.bounds_text} (default HEADLINES_WEB_PROCESSES; "
            "0 = one per core).",
        )
        # 4, not 8: a process's requests share one interpreter lock, and on SQLite more threads
        # only add writers queueing on the database lock (docs/benchmarks.md).
        parser.add_argument(
            "--threads",
            type=whole_number(1, MAX_THREADS),
            default=4,
            help=f"Threads of each web process, 1 to {MAX_THREADS} (default 4).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        _migrate()
        config = settings.CONFIG
        embedded = not config["HEADLINES_BROKER_URL"]
        processes = options["processes"]
        if processes is None:
            processes = int(config["HEADLINES_WEB_PROCESSES"])
        processes = processes or cpu_count()
        host, port = options["host"], options["port"]
        try:
            sock = listening_socket(host, port)
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                returncode=EXIT_NOTHING_DONE,
            ) from None
        _links_to(host, port)
        # Closed by this process once the demo has ingested and built (at once without --demo):
        # only then does the worker process start the scheduler, as a single process did.
        gate, opened = os.pipe()
        roles = _roles(sock, processes=processes, threads=options["threads"], gate=gate)
        supervisor = Supervisor(roles, parent_only=(opened,))
        # SIGTERM (systemd, docker stop) stops like Ctrl-C: every child stops cleanly (the worker
        # gives back the jobs it holds, so the next start runs them at once).
        # A second one while stopping changes nothing. (SIGINT stays ignored where the shell
        # that started us in the background ignores it.)
        signal.signal(signal.SIGTERM, stop_on_signal)
        stacks_on_request()
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, stop_on_signal)
        try:
            supervisor.start()
            if options["demo"]:
                from headlines.demo import start_demo

                start_demo(host=host, port=port, out=self.stdout)  # type: ignore[arg-type]
            supervisor.close(opened)
            self.stdout.write(
                f"Evening Headlines on http://{host}:{port}/ ({processes} web "
                f"process{'es' if processes > 1 else ''}, "
                f"{'embedded worker and scheduler process' if embedded else 'Celery tier'}). "
                "Ctrl-C stops."
            )
            supervisor.wait()
        except KeyboardInterrupt:
            pass
        finally:
            supervisor.stop()
            sock.close()
            os.close(gate)


def _links_to(host: str, port: int) -> None:
    """Without HEADLINES_BASE_URL (environment or .env), the links in emails point at this
    server: the default names port 8000, so `--port 8765` mailed confirmation links to a port
    nothing listened on. Set before the web processes and the worker are forked."""
    if given("HEADLINES_BASE_URL"):
        return
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104 (a check)
    url = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    os.environ["HEADLINES_BASE_URL"] = url  # for any process started later
    settings.CONFIG["HEADLINES_BASE_URL"] = url
    settings.BASE_URL = url
    settings.CSRF_TRUSTED_ORIGINS = [url]


# Named raw SQL (PostgreSQL only): a session-level advisory lock, held while this process
# migrates. Web machines started together (replicas after an upgrade) all migrate at start; at
# once, two created django_migrations side by side and one stopped with a duplicate key. Under
# the lock they take turns, and the second finds nothing left to do.
MIGRATE_LOCK = "SELECT pg_advisory_lock(hashtext('headlines run: migrate'))"
MIGRATE_UNLOCK = "SELECT pg_advisory_unlock(hashtext('headlines run: migrate'))"


def _migrate() -> None:
    """The schema and the cache table, as this release needs them, one process at a time."""
    warn_of_a_newer_database()
    if connection.vendor != "postgresql":  # SQLite: one machine, one `headlines run`
        _migrations()
        return
    with connection.cursor() as cursor:
        cursor.execute(MIGRATE_LOCK)
    try:
        _migrations()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(MIGRATE_UNLOCK)


def _migrations() -> None:
    """A migration that fails was "the database is not set up for this release yet: run
    `headlines migrate` first (or `headlines run`, which migrates)", the command that had
    just failed: now which one stopped, and why. Each migration is applied whole or not at
    all, so the ones before it stay and the old release still serves on them."""
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except DatabaseError as exc:
        if not database_usable():
            raise
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        stopped = f" at {plan[0][0].app_label}.{plan[0][0].name}" if plan else ""
        raise CommandError(
            f"migrating the database stopped{stopped}: {exc}. The migrations before it are "
            "applied, this one not at all; put right what it names and start again, or go "
            "back to the backup taken before the upgrade (docs/operations.md, Upgrades).",
            returncode=EXIT_NOTHING_DONE,
        ) from exc
    call_command("createcachetable", verbosity=0)


def _roles(sock: Any, *, processes: int, threads: int, gate: int) -> list[Role]:
    """The web processes and, in the embedded tier, the worker process; this process's own
    jobs (the demo's) ring the worker too."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    from headlines.core.worker import Doorbell, worker_process_main
    from headlines.wsgi import application as django_application

    config = settings.CONFIG
    # No proxy in front: it serves the admin's CSS and JS itself. Behind a reverse proxy,
    # `headlines collectstatic` and let the proxy serve STATIC_ROOT.
    application = StaticFilesHandler(django_application)
    options = waitress_options(
        trusted_proxies=int(config["HEADLINES_TRUSTED_PROXIES"]), threads=threads
    )
    keepalive = keepalive_checked(int(config["HEADLINES_WEB_KEEPALIVE_REQUESTS"]))
    web = Role("web", partial(web_process_main, sock, application, options, keepalive))
    if config["HEADLINES_BROKER_URL"]:
        return [web] * processes
    doorbell, ring = os.pipe()
    os.set_blocking(ring, False)  # a full pipe means the worker has wake-ups waiting already
    jobs.set_backend(Doorbell(ring))  # inherited by the web processes
    worker = partial(
        worker_process_main,
        doorbell,
        nice=int(config["HEADLINES_WORKER_NICE"]),
        tick_seconds=float(config["HEADLINES_SCHEDULER_TICK_SECONDS"]),
        scheduler_gate=gate,
    )
    return [web] * processes + [Role("worker", worker)]
