from __future__ import annotations

import logging
import signal
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command

from headlines.core import jobs, scheduler
from headlines.core.command import HeadlinesCommand
from headlines.core.webserver import waitress_options

log = logging.getLogger(__name__)


class Command(HeadlinesCommand):
    help = (
        "Run the whole service on one machine: web, worker and scheduler. "
        "--demo also serves a sample newsroom on localhost and ingests it."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--demo", action="store_true", help="Serve and ingest a sample newsroom."
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # 4, not 8: requests share one interpreter lock, and on SQLite more threads only add
        # writers queueing on the database lock (sign-up p99 1.1-1.6 s at 8 threads, 0.5-0.8 s
        # at 4, same throughput; docs/benchmarks.md).
        parser.add_argument("--threads", type=int, default=4, help="Web server threads.")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        embedded = not settings.CONFIG["HEADLINES_BROKER_URL"]
        sched = worker = None
        if embedded:
            from headlines.core.worker import EmbeddedWorker

            worker = EmbeddedWorker.from_settings().start()
            jobs.set_backend(worker)
            sched = scheduler.Scheduler(settings.CONFIG["HEADLINES_SCHEDULER_TICK_SECONDS"])
        # SIGTERM (systemd, docker stop) stops like Ctrl-C: the worker gives back the jobs it
        # holds, so the next start runs them at once instead of after their lease.
        signal.signal(signal.SIGTERM, _interrupt)
        if options["demo"]:
            from headlines.demo import start_demo

            start_demo(host=options["host"], port=options["port"], out=self.stdout)  # type: ignore[arg-type]
        if sched is not None:
            sched.start_thread()
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from waitress import serve

        from headlines.wsgi import application as django_application

        # One process, no proxy in front: it serves the admin's CSS and JS itself. Behind a
        # reverse proxy, `headlines collectstatic` and let the proxy serve STATIC_ROOT.
        application = StaticFilesHandler(django_application)

        self.stdout.write(
            f"Evening Headlines on http://{options['host']}:{options['port']}/ "
            f"({'embedded worker and scheduler' if embedded else 'Celery tier'}). Ctrl-C stops."
        )
        try:
            serve(
                application,
                host=options["host"],
                port=options["port"],
                **waitress_options(
                    trusted_proxies=int(settings.CONFIG["HEADLINES_TRUSTED_PROXIES"]),
                    threads=options["threads"],
                ),
            )
        except KeyboardInterrupt:
            pass
        finally:
            if sched is not None:
                sched.stop()
            if worker is not None:
                worker.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
