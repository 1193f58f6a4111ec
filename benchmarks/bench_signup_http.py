"""Sign-ups under a spike, through the real server: `headlines run` on a free port.

`python -m benchmarks bench_signup_http` (also in `make bench`). Each sign-up is what a reader's
browser does in the widget inside an article: GET /widget/<edition>/ (the form and its token),
then POST it. Every sign-up comes from its own client address, sent as X-Forwarded-For with
HEADLINES_TRUSTED_PROXIES=1, as a reverse proxy would. A trivial endpoint (/healthz) is measured
against the same server in the same run, as the baseline for the ratio.

Afterwards it checks what the numbers must not hide: every accepted sign-up is stored, in the
consent ledger with its own address hash, and has its confirmation email; a known address gets
the same answer as a new one; the per-client rate limit still holds.

Environment: BENCH_SIGNUPS (default 6000), BENCH_CONCURRENCY (readers at once, default 32),
BENCH_THREADS (`headlines run --threads`), BENCH_PROCESSES (`--processes`),
BENCH_KEEPALIVE_REQUESTS (HEADLINES_WEB_KEEPALIVE_REQUESTS; 0: never closed), BENCH_WORKER_NICE
(HEADLINES_WORKER_NICE), BENCH_SQLITE_SYNCHRONOUS (HEADLINES_SQLITE_SYNCHRONOUS: FULL for SQLite
as durable as PostgreSQL's synchronous commit), BENCH_DATABASE_URL (that database alone: SQLite
in a fresh data dir when unset; a postgresql:// URL names a database this benchmark may drop and
re-create),
BENCH_POSTGRES_URL (without BENCH_DATABASE_URL, SQLite is measured first and then PostgreSQL at
this URL, POSTGRES_URL by default, when its server answers, with their ratio; "" for SQLite
alone), BENCH_RELAY=1 (the confirmations go to Postfix's smtp-sink on loopback
through HEADLINES_SMTP_URL, as in a real deployment, instead of the outbox table; an email is
counted when its job is done), and
BENCH_SERVER_SRC: the `src` folder of another checkout to serve instead (a before/after
comparison; its per-client rate limit is lifted, since a server that ignores X-Forwarded-For
would see one client, and the checks are reported, not asserted); BENCH_SERVER_CPUS: the cores
`headlines run` may use (`taskset -c` list, e.g. `0`), to give the web its own core apart from
the client and a database server pinned elsewhere.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import fresh_postgres, postgres_unanswered

REPO = Path(__file__).resolve().parents[1]
TOKEN = re.compile(rb'name="token" value="([^"]+)"')
THANKS = b"Thanks for signing up to the"
CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)")
CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked")
CLOSE = re.compile(rb"\r\nconnection:[^\r]*close")


@dataclass(frozen=True)
class Checks:
    """What must not change under load (`_checks`)."""

    limit_codes: list[int]  # the status of each of 21 sign-ups from one client address
    known_equals_new: bool  # a known address answered byte for byte as a new one


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Connection:
    """One keep-alive HTTP/1.1 connection, as one reader's browser holds it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, path: str, *, forwarded_for: str = "", body: bytes = b""
    ) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if forwarded_for:
            head += f"X-Forwarded-For: {forwarded_for}\r\n"
        if body:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
        head += f"Content-Length: {len(body)}\r\n\r\n"
        self.writer.write(head.encode() + body)
        # The status line and headers in one read, parsed in one pass: the client shares the
        # server's 2 cores, so the less CPU it spends a response the less it takes from them.
        head_block = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head_block.split(None, 2)[1])
        headers = head_block.lower()
        found = CONTENT_LENGTH.search(headers)
        length = int(found.group(1)) if found else 0
        chunked = CHUNKED.search(headers) is not None
        close = CLOSE.search(headers) is not None
        if chunked:
            data = b""
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                data += await self.reader.readexactly(size + 2)
            await self.reader.readline()
        else:
            data = await self.reader.readexactly(length)
        if close:
            self.writer.close()
            self.writer = None
        return status, data


@dataclass
class Cpu:
    web: float = 0.0
    worker: float = 0.0
    processes: dict[int, float] = field(default_factory=dict)  # each web process (by pid)
    machine: float = 0.0  # every core's busy time, whoever used it

    def __sub__(self, other: Cpu) -> Cpu:
        each = {pid: s - other.processes.get(pid, 0.0) for pid, s in self.processes.items()}
        return Cpu(
            self.web - other.web, self.worker - other.worker, each, self.machine - other.machine
        )

    def shares(self) -> str:
        """How the web processes' CPU was split among them: one connection-hogging process
        shows as 100 % / 0 %."""
        total = sum(self.processes.values()) or 1.0
        return " / ".join(f"{s / total:.0%}" for s in sorted(self.processes.values()))


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # one per accepted sign-up, GET+POST
    post_latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def p(self, q: float, values: list[float] | None = None) -> float:
        values = sorted(self.latencies if values is None else values)
        return values[min(len(values) - 1, int(q * len(values)))] * 1000


def client_address(n: int) -> str:
    """A distinct public-looking IPv4 address per sign-up."""
    return f"100.{64 + (n >> 16) % 64}.{(n >> 8) % 256}.{n % 256}"


async def _sign_up(conn: Connection, slug: str, n: int, run: Run) -> None:
    address = client_address(n)
    started = time.perf_counter()
    status, page = await conn.request("GET", f"/widget/{slug}/", forwarded_for=address)
    token = TOKEN.search(page)
    assert status == 200 and token, (status, page[:300])
    body = urllib.parse.urlencode({"email": f"reader{n}@example.com", "token": token.group(1)})
    posted = time.perf_counter()
    status, page = await conn.request(
        "POST", f"/widget/{slug}/", forwarded_for=address, body=body.encode()
    )
    done = time.perf_counter()
    run.statuses[status] = run.statuses.get(status, 0) + 1
    if status == 200 and THANKS in page:
        run.latencies.append(done - started)
        run.post_latencies.append(done - posted)


async def signups(port: int, slug: str, *, total: int, concurrency: int, first: int = 0) -> Run:
    run, counter = Run(), iter(range(first, first + total))

    async def reader() -> None:
        conn = Connection(port)
        for n in counter:
            await _sign_up(conn, slug, n, run)

    started = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


async def trivial(port: int, *, total: int, concurrency: int, path: str = "/healthz") -> Run:
    run, counter = Run(), iter(range(total))

    async def client() -> None:
        conn = Connection(port)
        for _ in counter:
            started = time.perf_counter()
            status, _ = await conn.request("GET", path)
            run.statuses[status] = run.statuses.get(status, 0) + 1
            run.latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    run.seconds = time.perf_counter() - started
    return run


def machine_busy_seconds() -> float:
    """CPU time this machine's cores have spent busy so far (Linux /proc/stat): what the web,
    the worker and the client do not account for is the rest of the machine, mostly a
    PostgreSQL server on it (its backends come and go, so it is counted this way)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Server:
    """`headlines run` in a child process with its own data dir and database."""

    def __init__(self, data_dir: Path, database_url: str) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")},
            "HEADLINES_DATA_DIR": str(data_dir),
            "HEADLINES_DATABASE_URL": database_url,
            "HEADLINES_SECRET_KEY": "bench-signup-secret-Qm4Zt8Lw2Xp6Rv0Kc3Jn7Hd1Fs5Gb9Ye",
            "HEADLINES_LOG_LEVEL": "WARNING",
            "HEADLINES_ENV_FILE": os.devnull,
            "HEADLINES_TRUSTED_PROXIES": "1",
            "HEADLINES_BASE_URL": "http://127.0.0.1",
        }
        self.data_dir = data_dir
        self.port = _free_port()
        self.sink: subprocess.Popen[bytes] | None = None
        if os.environ.get("BENCH_RELAY", "") not in {"", "0"}:
            from benchmarks.bench_delivery import start_sink

            self.sink, sink_port = start_sink()
            self.env["HEADLINES_SMTP_URL"] = f"smtp://127.0.0.1:{sink_port}"
        self.process: subprocess.Popen[bytes] | None = None
        other = os.environ.get("BENCH_SERVER_SRC", "")
        if other:
            self.env |= {"PYTHONPATH": other, "HEADLINES_SIGNUP_RATE_PER_IP": "1000000"}
        keepalive = os.environ.get("BENCH_KEEPALIVE_REQUESTS", "")
        if keepalive:
            self.env["HEADLINES_WEB_KEEPALIVE_REQUESTS"] = keepalive
        nice = os.environ.get("BENCH_WORKER_NICE", "")
        if nice:
            self.env["HEADLINES_WORKER_NICE"] = nice
        synchronous = os.environ.get("BENCH_SQLITE_SYNCHRONOUS", "")
        if synchronous:
            self.env["HEADLINES_SQLITE_SYNCHRONOUS"] = synchronous
        threads = os.environ.get("BENCH_THREADS", "")
        processes = os.environ.get("BENCH_PROCESSES", "")
        self.run_args = ["--threads", threads] if threads else []
        self.run_args += ["--processes", processes] if processes else []
        self.processes_text = (
            f"--processes {processes or 'default'}, --threads {threads or 4}, "
            f"connections closed after {keepalive or 'the default number of'} requests"
        )
        if os.environ.get("BENCH_SERVER_CPUS"):
            self.processes_text += f", pinned to cores {os.environ['BENCH_SERVER_CPUS']}"
        if synchronous and not database_url.startswith("postgres"):
            self.processes_text += f", SQLite synchronous={synchronous.upper()}"

    def headlines(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "headlines", *args],
            env=self.env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"headlines {' '.join(args)}: {done.stderr[-2000:]}")
        return done.stdout

    def start(self) -> None:
        self.headlines("migrate", "--noinput")
        self.headlines("edition", "add", "bench", "--name", "Bench", "--timezone", "UTC")
        log = open(self.data_dir / "server.log", "wb")  # noqa: SIM115 (lives as long as the child)
        cpus = os.environ.get("BENCH_SERVER_CPUS", "")
        pinned = ["taskset", "-c", cpus] if cpus else []
        command = [sys.executable, "-m", "headlines", "run", "--port", str(self.port)]
        self.process = subprocess.Popen(
            [*pinned, *command, *self.run_args],
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError((self.data_dir / "server.log").read_text()[-2000:])

    def cpu_seconds(self) -> Cpu:
        """User + system CPU `headlines run`'s processes have used so far (Linux /proc): the
        parent and its web processes, and apart the worker process (the one at a lower
        priority)."""
        assert self.process is not None
        cpu = Cpu()
        pids = [self.process.pid]
        while pids:
            pid = pids.pop()
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except FileNotFoundError:  # ended meanwhile
                continue
            seconds = (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")
            if int(stat[16]) > 0:  # nice
                cpu.worker += seconds
            else:
                cpu.web += seconds
                if pid != self.process.pid:
                    cpu.processes[pid] = seconds
            pids += [int(child) for child in children]
        cpu.machine = machine_busy_seconds()
        return cpu

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)
        if self.sink is not None:
            self.sink.kill()
            self.sink.wait()

    def counts(self, accepted: int) -> dict[str, int]:
        """What the database holds once the queued confirmation emails have been written."""
        # Into the outbox, an email is a row; through the relay, a confirmation job done.
        emails = (
            "Job.objects.filter(kind='subscriptions.send_confirmation', status='done').count()"
            if self.sink is not None
            else "OutboxMessage.objects.count()"
        )
        code = (
            "import django, json, time; django.setup()\n"
            "from headlines.core.models import Job, OutboxMessage\n"
            "from headlines.subscriptions.models import ConsentEvent, Subscription\n"
            "deadline = time.monotonic() + 600\n"
            f"while {emails} < {accepted} and time.monotonic() < deadline:\n"
            "    time.sleep(0.5)\n"
            "print(json.dumps({\n"
            "  'pending': Subscription.objects.filter(status='pending').count(),\n"
            "  'consents': ConsentEvent.objects.count(),\n"
            "  'ip_hashes': ConsentEvent.objects.values('ip_hash').distinct().count(),\n"
            f"  'emails': {emails},\n"
            "}))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "headlines.settings"},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))


async def _checks(port: int, accepted_first: int) -> Checks:
    """The answers that must not change under load: limits per client, no enumeration."""
    conn = Connection(port)
    address = "198.51.100.77"
    codes = []
    for n in range(21):  # HEADLINES_SIGNUP_RATE_PER_IP defaults to 20 an hour
        status, page = await conn.request("GET", "/widget/bench/", forwarded_for=address)
        token = TOKEN.search(page)
        assert token
        body = urllib.parse.urlencode({"email": f"limit{n}@example.com", "token": token.group(1)})
        status, _ = await conn.request(
            "POST", "/widget/bench/", forwarded_for=address, body=body.encode()
        )
        codes.append(status)

    async def answer(email: str, address: str) -> tuple[int, bytes]:
        _, page = await conn.request("GET", "/widget/bench/", forwarded_for=address)
        token = TOKEN.search(page)
        assert token
        body = urllib.parse.urlencode({"email": email, "token": token.group(1)})
        status, page = await conn.request(
            "POST", "/widget/bench/", forwarded_for=address, body=body.encode()
        )
        return status, TOKEN.sub(b"", page)

    known = await answer(f"reader{accepted_first}@example.com", "203.0.113.1")
    new = await answer("never-seen@example.com", "203.0.113.2")
    return Checks(limit_codes=codes, known_equals_new=known == new)


# Measured after SQLite in the same run when BENCH_DATABASE_URL is unset and its server answers
# (CI's and these machines' local PostgreSQL): the target asks for more sign-ups on PostgreSQL
# than on the embedded tier, so `make bench` prints the two side by side and their ratio.
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/eh_bench_signup"


def _databases() -> list[str]:
    """The database URLs to measure, in order ("" is SQLite in a fresh data dir)."""
    given = os.environ.get("BENCH_DATABASE_URL", "")
    if given:
        return [given]
    postgres = os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL)
    if not postgres:
        return [""]
    unanswered = postgres_unanswered(postgres)
    if unanswered:
        print(f"PostgreSQL not measured: no server answers at {postgres} ({unanswered})")
        return [""]
    return ["", postgres]


def _database(url: str) -> tuple[str, str]:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-signup-run-"))
    if not url:
        return f"sqlite:///{data_dir / 'headlines.sqlite3'}", str(data_dir)
    return fresh_postgres(url), str(data_dir)  # options (?server_side_binding=…) kept


@dataclass(frozen=True)
class Outcome:
    """What one database's run is compared by."""

    kind: str
    signups: float  # a second
    p99: float  # ms
    trivial: float  # /healthz requests a second
    web_ms: float  # the web processes' CPU a sign-up


def main() -> None:
    outcomes = [_measure(url) for url in _databases()]
    if len(outcomes) == 2:
        sqlite, postgres = outcomes
        print(
            f"{postgres.kind} / {sqlite.kind}, this run, same machine and layout: sign-ups a "
            f"second {postgres.signups / sqlite.signups:.2f} ({postgres.signups:,.0f} / "
            f"{sqlite.signups:,.0f}), p99 {postgres.p99:.0f} / {sqlite.p99:.0f} ms, web CPU a "
            f"sign-up {postgres.web_ms:.2f} / {sqlite.web_ms:.2f} ms, /healthz "
            f"{postgres.trivial:,.0f} / {sqlite.trivial:,.0f} a second"
        )


def _measure(database: str) -> Outcome:
    total = int(os.environ.get("BENCH_SIGNUPS", "6000"))
    concurrency = int(os.environ.get("BENCH_CONCURRENCY", "32"))
    url, data_dir = _database(database)
    server = Server(Path(data_dir), url)
    server.start()
    try:
        asyncio.run(trivial(server.port, total=500, concurrency=concurrency))  # warm-up
        cpu = server.cpu_seconds()
        base = asyncio.run(trivial(server.port, total=10 * total, concurrency=concurrency))
        base_cpu = server.cpu_seconds() - cpu
        asyncio.run(signups(server.port, "bench", total=200, concurrency=concurrency))  # warm-up
        server.counts(200)  # the warm-up's emails out of the way
        cpu, client_cpu, load = server.cpu_seconds(), time.process_time(), os.getloadavg()
        run = asyncio.run(
            signups(server.port, "bench", total=total, concurrency=concurrency, first=200)
        )
        run_cpu, client_cpu = server.cpu_seconds() - cpu, time.process_time() - client_cpu
        spike_end = time.perf_counter()
        # Pending sign-ups: warm-up, the run, 20 within the limit, one new address. Emails: one
        # each, plus the second confirmation the known (still pending) address is sent.
        drained = server.counts(200 + len(run.latencies))
        drain_seconds = time.perf_counter() - spike_end
        drain_cpu = server.cpu_seconds() - cpu
        checks = asyncio.run(_checks(server.port, 200))
        accepted = 200 + len(run.latencies) + 20 + 1
        counts = server.counts(accepted + 1)
    finally:
        server.stop()
    kind = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"database {kind}; confirmations "
        f"{'through a relay (smtp-sink)' if server.sink else 'into the outbox'}; "
        f"{concurrency} readers at once; {server.processes_text}; machine: "
        f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} "
        "(1 / 5 / 15 min) when the sign-ups started"
    )
    print(
        f"trivial GET /healthz: {base.rate():,.0f} req/s, p99 {base.p(0.99):.1f} ms "
        f"(statuses {base.statuses})"
    )
    print(
        f"sign-ups (GET widget + POST): {run.rate():,.0f}/s = {2 * run.rate():,.0f} req/s, "
        f"p50 {run.p(0.5):.0f} ms, p99 {run.p(0.99):.0f} ms "
        f"(POST alone p99 {run.p(0.99, run.post_latencies):.0f} ms; statuses {run.statuses})"
    )
    print(f"ratio: one sign-up costs {base.rate() / run.rate():.1f} trivial requests")
    signed = len(run.latencies)
    rest_cpu = run_cpu.machine - run_cpu.web - run_cpu.worker - client_cpu
    print(
        f"server CPU: trivial {base_cpu.web / base.seconds:.0%} of a core, "
        f"{base_cpu.web / len(base.latencies) * 1000:.2f} ms a request (web processes' shares "
        f"{base_cpu.shares()}); during the sign-ups "
        f"web {run_cpu.web / run.seconds:.0%} of a core, {run_cpu.web / signed * 1000:.2f} ms a "
        f"sign-up (shares {run_cpu.shares()}), worker {run_cpu.worker / signed * 1000:.2f} ms; "
        f"the benchmark's client {client_cpu / signed * 1000:.2f} ms a sign-up; the rest of the "
        f"machine (the database server, if here) {rest_cpu / signed * 1000:.2f} ms"
    )
    print(
        f"confirmation emails: all {drained['emails']} written {drain_seconds:.1f} s after the "
        f"spike; worker CPU {drain_cpu.worker / signed * 1000:.2f} ms an email, web + worker "
        f"{(drain_cpu.web + drain_cpu.worker) / signed * 1000:.2f} ms a sign-up in all"
    )
    print(f"after the run: {counts}; expected {accepted} pending, {accepted + 1} emails")
    print(f"rate limit, 21 sign-ups from one client: {checks.limit_codes[-3:]} (last three)")
    print(f"known address answered exactly like a new one: {checks.known_equals_new}")
    lost = accepted - counts["pending"]
    outcome = Outcome(kind, run.rate(), run.p(0.99), base.rate(), run_cpu.web / signed * 1000)
    if os.environ.get("BENCH_SERVER_SRC"):
        return outcome
    assert lost == 0 and counts["emails"] == accepted + 1, f"{lost} sign-ups lost: {counts}"
    assert counts["ip_hashes"] >= len(run.latencies), "client addresses were merged"
    assert checks.limit_codes[-1] == 429 and checks.known_equals_new
    return outcome


if __name__ == "__main__":
    main()
