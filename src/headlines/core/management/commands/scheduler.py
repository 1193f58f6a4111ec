from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.management.base import CommandError

from headlines.core import scheduler
from headlines.core.command import HeadlinesCommand, require_broker, require_database
from headlines.core.supervisor import stacks_on_request


class Command(HeadlinesCommand):
    # The settings a public service must not run with (`core.checks`: a guessable secret key,
    # an http:// base URL), warned of once at start, as `headlines run` does: a distributed
    # tier's machines may run no `headlines run` at all.
    requires_system_checks = [checks.Tags.security]
    help = "Run the scheduler of the distributed tier: enqueues periodic jobs to the broker."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run one tick and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CONFIG["HEADLINES_BROKER_URL"]:
            raise CommandError(
                "HEADLINES_BROKER_URL is not set: the embedded tier runs its scheduler inside "
                "`headlines run`.",
                returncode=2,
            )
        require_database()
        require_broker()
        sched = scheduler.Scheduler(settings.CONFIG["HEADLINES_SCHEDULER_TICK_SECONDS"])
        if options["once"]:
            self.stdout.write("enqueued: " + (", ".join(sched.tick()) or "nothing"))
            return
        stacks_on_request()
        try:
            sched.run_forever()
        except KeyboardInterrupt:
            sched.stop()
