"""Subscriptions: CSV import rows per second (new, then the same list again), and sign-up
requests per second (service level).

Runs on a fresh SQLite database in a temporary data dir (or HEADLINES_DATABASE_URL if set).
`python -m benchmarks bench_subscriptions`; optional BENCH_SUBSCRIBERS (default 5000).
"""

from __future__ import annotations

import os
import tempfile
import time

from benchmarks import django_setup


def main() -> None:
    rows = int(os.environ.get("BENCH_SUBSCRIBERS", "5000"))
    os.environ.setdefault("HEADLINES_DATA_DIR", tempfile.mkdtemp(prefix="bench-subs-"))
    django_setup()
    from django.conf import settings
    from django.core.management import call_command

    from headlines.core import jobs
    from headlines.core.services import edition_create
    from headlines.subscriptions import csvfiles, services

    call_command("migrate", interactive=False, verbosity=0)
    jobs.set_backend(jobs.ImmediateBackend())
    settings.CONFIG["HEADLINES_SIGNUP_RATE_PER_IP"] = 10**9
    edition = edition_create(slug="bench", name="Bench Evening Headlines", timezone="UTC")

    lines = ["email,consent_source,consent_at,marketing,timezone,name"]
    lines += [
        f"r{n}@example.com,bench,2024-05-01T09:30:00Z,yes,Europe/London,R {n}" for n in range(rows)
    ]
    started = time.perf_counter()
    report = csvfiles.subscribers_import_csv(text="\n".join(lines) + "\n", edition_slug="bench")
    took = time.perf_counter() - started
    assert report.imported == rows, report.bad[:3]
    print(f"csv import: {rows} rows in {took:.2f}s = {rows / took:,.0f} rows/s")

    # The same list again (a newsroom re-running its export): every reader already there.
    started = time.perf_counter()
    again = csvfiles.subscribers_import_csv(text="\n".join(lines) + "\n", edition_slug="bench")
    took = time.perf_counter() - started
    assert (again.unchanged, again.bad) == (rows, []), (again.summary(), again.bad[:3])
    print(
        f"csv import again (all already there): {rows} rows in {took:.2f}s "
        f"= {rows / took:,.0f} rows/s"
    )

    count = rows // 5
    started = time.perf_counter()
    for n in range(count):
        services.subscription_request(
            email=f"s{n}@example.com", edition_id=edition.pk, marketing=False, source="form"
        )
    took = time.perf_counter() - started
    print(
        f"sign-up (validate, rate-limit, store, consent, confirmation to the outbox): "
        f"{count} in {took:.2f}s = {count / took:,.0f}/s"
    )


if __name__ == "__main__":
    main()
