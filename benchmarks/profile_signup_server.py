"""Where a sign-up's CPU goes inside one web process: waitress and Django, under load.

Not part of `make bench`. One process serves the widget through waitress (the options
`headlines run` uses, HEADLINES_TRUSTED_PROXIES=1) on a free port; the benchmark's own client
(benchmarks.bench_signup_http, 32 readers, keep-alive) runs in a child process, so this
process's CPU time (getrusage) is the server's alone. Fresh SQLite data dir each run; the
confirmation jobs are only collected (the worker's CPU is measured elsewhere).

    python -m benchmarks.profile_signup_server cpu [N] [THREADS]      # CPU ms a sign-up
    python -m benchmarks.profile_signup_server profile [N] [THREADS]  # cProfile, every thread
    python -m benchmarks.profile_signup_server wsgi   # the application alone, CPU a request
    python -m benchmarks.profile_signup_server wsgi-profile   # the same under cProfile
"""

from __future__ import annotations

import cProfile
import pstats
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.profile_signup import setup

REPO = Path(__file__).resolve().parents[1]
CLIENT = (
    "import asyncio, sys\n"
    "from benchmarks.bench_signup_http import signups\n"
    "run = asyncio.run(signups(int(sys.argv[1]), 'bench', total=int(sys.argv[2]), "
    "concurrency=32, first=int(sys.argv[3])))\n"
    "print(len(run.latencies), run.statuses)\n"
)


def _cpu() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _client(port: int, total: int, first: int) -> str:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, str(port), str(total), str(first)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "cpu"
    if mode.startswith("wsgi"):
        wsgi_loop(mode)
        return
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from waitress.server import create_server
    from waitress.task import ThreadedTaskDispatcher

    from headlines.core.webserver import waitress_options
    from headlines.wsgi import application

    profiles: list[cProfile.Profile] = []
    serve_thread = ThreadedTaskDispatcher.handler_thread

    def profiled_thread(self: ThreadedTaskDispatcher, thread_no: int) -> None:
        profile = cProfile.Profile(time.thread_time)
        profiles.append(profile)
        profile.enable()
        serve_thread(self, thread_no)

    if mode == "profile":
        ThreadedTaskDispatcher.handler_thread = profiled_thread
    options = waitress_options(trusted_proxies=1, threads=threads)
    server = create_server(StaticFilesHandler(application), host="127.0.0.1", port=0, **options)
    port = server.socket.getsockname()[1]

    def loop() -> None:
        if mode == "profile":
            profile = cProfile.Profile(time.thread_time)
            profiles.append(profile)
            profile.enable()
        server.run()

    threading.Thread(target=loop, daemon=True).start()
    print("warm-up:", _client(port, 200, 0))
    started, (user, system) = time.perf_counter(), _cpu()
    if mode == "profile":
        for profile in profiles:
            profile.clear()
    print("run:", _client(port, total, 1000))
    seconds = time.perf_counter() - started
    user, system = _cpu()[0] - user, _cpu()[1] - system
    cpu = user + system
    print(
        f"{threads} threads: {total} sign-ups, server CPU {cpu / total * 1000:.2f} ms a sign-up "
        f"(user {user / total * 1000:.2f}, system {system / total * 1000:.2f}; "
        f"{cpu / seconds:.0%} of a core, {total / seconds:.0f}/s)"
    )
    if mode == "profile":
        stats = pstats.Stats(profiles[0])
        for profile in profiles[1:]:
            stats.add(profile)
        stats.sort_stats("cumulative").print_stats(70)
        stats.sort_stats("tottime").print_stats(40)


def _environ(method: str, path: str, address: str, body: bytes = b"") -> dict[str, object]:
    import io

    environ: dict[str, object] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": address,  # as waitress sets it from X-Forwarded-For
        "HTTP_X_FORWARDED_FOR": address,
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if body:
        environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        environ["CONTENT_LENGTH"] = str(len(body))
    return environ


def wsgi_loop(mode: str, batches: int = 7, per_batch: int = 200) -> None:
    """The application alone, one thread, no sockets: CPU ms a GET and a POST, best batch."""
    import re
    import urllib.parse

    setup()
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    from headlines.wsgi import application

    app = StaticFilesHandler(application)
    token = re.compile(rb'name="token" value="([^"]+)"')

    def call(environ: dict[str, object]) -> tuple[str, bytes]:
        status: list[str] = []

        def start_response(
            line: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            status.append(line)
            return lambda data: None

        body = b"".join(app(environ, start_response))
        return status[0], body

    n = 0
    profile = cProfile.Profile(time.process_time) if mode == "wsgi-profile" else None
    gets: list[float] = []
    posts: list[float] = []
    healths: list[float] = []
    for batch in range(batches + 1):
        get_cpu = post_cpu = 0.0
        if profile and batch == 1:
            profile.enable()
        for _ in range(per_batch):
            n += 1
            address = f"100.64.{(n >> 8) % 256}.{n % 256}"
            started = time.process_time()
            status, page = call(_environ("GET", "/widget/bench/", address))
            got = time.process_time()
            found = token.search(page)
            assert status.startswith("200") and found, (status, page[:200])
            data = urllib.parse.urlencode({"email": f"r{n}@example.com", "token": found[1]})
            posted = time.process_time()
            status, page = call(_environ("POST", "/widget/bench/", address, data.encode()))
            done = time.process_time()
            assert status.startswith("200"), (status, page[:300])
            get_cpu, post_cpu = get_cpu + got - started, post_cpu + done - posted
        started = time.process_time()
        for _ in range(per_batch):
            call(_environ("GET", "/healthz", "100.64.0.1"))
        health = time.process_time() - started
        if batch:  # the first is warm-up
            gets.append(get_cpu / per_batch * 1000)
            posts.append(post_cpu / per_batch * 1000)
            healths.append(health / per_batch * 1000)
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(80)
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)
    print(
        f"best of {batches} batches of {per_batch}: GET {min(gets):.3f} ms, POST "
        f"{min(posts):.3f} ms, GET+POST {min(gets) + min(posts):.3f} ms, /healthz "
        f"{min(healths):.3f} ms (medians {sorted(gets)[batches // 2]:.3f} / "
        f"{sorted(posts)[batches // 2]:.3f} / {sorted(healths)[batches // 2]:.3f})"
    )


if __name__ == "__main__":
    main()
