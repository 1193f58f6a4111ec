"""Transactional email (a confirmation) through a relay: Postfix's smtp-sink on loopback.

Sends BENCH_MESSAGES (default 1000) confirmation-sized messages one after another through
`headlines.core.mail.send_message`, the call every confirmation, welcome and test digest makes,
and prints the CPU and wall time a message in two rounds. During a sign-up spike the worker makes
one such call for every reader who signs up, so this is its ceiling in confirmations a second.
BENCH_SERVER_SRC: the `src` folder of another checkout to measure instead (before/after).

Run: `.venv/bin/python -m benchmarks bench_transactional`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.bench_delivery import SINK, start_sink

ROUNDS = 2


def _measure(count: int) -> None:
    """In a child process (so that BENCH_SERVER_SRC's code is the one imported)."""
    from benchmarks import django_setup

    django_setup()
    from headlines.core.mail import build_message, send_message

    message = build_message(
        from_addr="Evening Headlines <desk@news.example>",
        to="reader@example.org",
        subject="Please confirm your US Evening Headlines email",
        text="Confirm your subscription: https://news.example/confirm/abc123\n" * 8,
        html="<p>Confirm your subscription: <a href='https://news.example/c'>confirm</a></p>" * 8,
    )
    for _ in range(ROUNDS):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            result = send_message(message)
            assert result.accepted, result
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"  {count} messages: {cpu / count * 1000:.2f} ms of CPU and {wall / count * 1000:.2f} "
            f"ms a message ({count / wall:,.0f} a second on one thread)",
            flush=True,
        )


def main() -> None:
    if not Path(SINK).exists():
        print("smtp-sink not found (Debian package postfix); skipped")
        return
    count = int(os.environ.get("BENCH_MESSAGES", "1000"))
    sink, port = start_sink()
    try:
        env = {**os.environ, "HEADLINES_SMTP_URL": f"smtp://127.0.0.1:{port}"}
        other = os.environ.get("BENCH_SERVER_SRC", "")
        if other:
            env["PYTHONPATH"] = f"{other}{os.pathsep}{Path(__file__).resolve().parent.parent}"
        print(
            f"machine: {os.cpu_count()} cores; smtp-sink :{port}; code: {other or 'this checkout'}"
        )
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"from benchmarks import bench_transactional as b; b._measure({count})",
            ],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
    finally:
        sink.kill()
        sink.wait()


if __name__ == "__main__":
    main()
