"""A separate installation for tests that need other processes: its own data dir and database
(a file SQLite database or a fresh PostgreSQL one), driven through the `headlines` command."""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
HEADLINES = str(Path(sys.executable).with_name("headlines"))
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
# The empty SQLite database `headlines migrate` made, once per test run (see Installation.migrate).
_migrated_sqlite: list[Path] = []
# The same on the PostgreSQL server: an empty database that command migrated, the template of
# fresh_postgres_url(migrated=True), and the copies made of it.
_migrated_postgres: list[str] = []
_migrated_copies: set[str] = set()


def free_port() -> int:
    """A localhost port nobody listens on now, for a child server to take.

    Drawn below the kernel's ephemeral range (32768-60999 on Linux): a port the kernel hands out
    for `bind(("", 0))` could go to another suite's SMTP peer, running side by side, between this
    check and the child's bind (it happened: the child's port answered "220 … SMTP").
    """
    lowest, _ = _ephemeral_range()
    for _ in range(200):
        port = random.randrange(10_000, max(10_001, lowest))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def listens(pid: int, port: int) -> bool:
    """Whether process `pid` holds a socket listening on `port` (Linux /proc). A server that
    answers on a port drawn by `free_port` may be another suite's that drew the same one between
    the draw and this child's bind: the child then stops ("cannot listen"), a zombie whose
    children list is empty, while the test talks to the other suite's server."""
    inodes = _listening_sockets(port)
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return True
    return False


def _listening_sockets(port: int) -> set[str]:
    """The sockets listening on `port`, named as /proc/PID/fd links name them."""
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(FileNotFoundError):
            rows += [line.split() for line in Path(table).read_text().splitlines()[1:]]
    # local address (hex ip:port), state (0A: LISTEN), inode
    return {
        f"socket:[{row[9]}]"
        for row in rows
        if row[3] == "0A" and int(row[1].rsplit(":", 1)[1], 16) == port
    }


def answers(port: int) -> bool:
    """Whether a server on localhost `port` answers /healthz with 200."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


class Installation:
    def __init__(self, data_dir: Path, *, database_url: str | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.sqlite_path = None if database_url else data_dir / "headlines.sqlite3"
        self.database_url = database_url or f"sqlite:///{self.sqlite_path}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")},
            "HEADLINES_DATA_DIR": str(data_dir),
            "HEADLINES_DATABASE_URL": self.database_url,
            # Long and random-looking, as `headlines run` asks (a short one is warned of).
            "HEADLINES_SECRET_KEY": "children-test-secret-Qm4Zt8Lw2Xp6Rv0Kc3Jn7Hd1Fs5Gb9Ye",
            "HEADLINES_LOG_LEVEL": "WARNING",
            "HEADLINES_ENV_FILE": os.devnull,
            "PYTHONPATH": str(REPO),
            **env,
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def command(self, *args: str) -> list[str]:
        return [HEADLINES, *args]

    def run(self, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            self.command(*args),
            env={**self.env, **env},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise AssertionError(f"headlines {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def popen(self, *args: str, new_session: bool = False, **env: str) -> subprocess.Popen[bytes]:
        """Start a child; its output goes to children.log in the data dir. `new_session`: in a
        process group of its own, which a test may kill whole (`os.killpg`)."""
        with open(self.data_dir / "children.log", "ab") as log:
            return subprocess.Popen(
                self.command(*args),
                env={**self.env, **env},
                cwd=REPO,
                stdout=log,
                stderr=log,
                start_new_session=new_session,
            )

    def serve(
        self, *args: str, port: int | None = None, new_session: bool = False, timeout: float = 90
    ) -> tuple[subprocess.Popen[bytes], int]:
        """`headlines run --port P *args`, returned once it answers /healthz on P from a socket
        of its own (`listens`): the process and P. Without `port`, a free one, and another when
        the child finds the one drawn taken (see `listens`)."""
        for _ in range(5 if port is None else 1):
            chosen = free_port() if port is None else port
            process = self.popen("run", "--port", str(chosen), *args, new_session=new_session)
            deadline = time.monotonic() + timeout
            while process.poll() is None:
                if listens(process.pid, chosen) and answers(chosen):
                    return process, chosen
                if time.monotonic() > deadline:
                    process.kill()
                    process.wait(timeout=30)
                    raise AssertionError(f"headlines run did not answer:\n{self.log()}")
                time.sleep(0.2)
            if port is not None or f"cannot listen on 127.0.0.1:{chosen}" not in self.log():
                raise AssertionError(f"headlines run ended ({process.returncode}):\n{self.log()}")
        raise AssertionError(f"headlines run found each port taken:\n{self.log()}")

    def log(self) -> str:
        path = self.data_dir / "children.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def migrate(self) -> None:
        """The database migrated, as `headlines migrate --noinput` leaves it. A SQLite one is a
        copy of the database that command made once in this test run (the migrations hold no
        data and read no setting, so every migrated SQLite database is the same): the tests
        that need other processes start from it instead of each migrating again (about 1.5 s of
        CPU each). `headlines run` still runs the migrations' check itself at every start."""
        if self.sqlite_path is None:
            if self.database_url not in _migrated_copies:
                self.run("migrate", "--noinput")
            return
        if not _migrated_sqlite:
            folder = Path(tempfile.mkdtemp(prefix="headlines-migrated-"))
            atexit.register(shutil.rmtree, folder, True)
            Installation(folder).run("migrate", "--noinput")
            _migrated_sqlite.append(folder / "headlines.sqlite3")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # Made 0600 first, as `headlines migrate` makes it: the umask's 0644 is an earlier
        # release's data folder, which every start warns of (headlines.W005).
        os.close(os.open(self.sqlite_path, os.O_WRONLY | os.O_CREAT, 0o600))
        with (
            closing(sqlite3.connect(_migrated_sqlite[0])) as source,
            closing(sqlite3.connect(self.sqlite_path)) as target,
        ):
            source.backup(target)

    def setup(self, *, readers: int, **edition: Any) -> None:
        """Migrate, then one edition `e1` with `readers` confirmed readers and an approved
        digest for 2026-11-25 (made by tests.delivery.seed in the child's settings)."""
        migrate = ""
        if self.sqlite_path is not None:
            self.migrate()
        elif self.database_url not in _migrated_copies:  # in the seeding process: one start-up
            migrate = "call_command('migrate', interactive=False, verbosity=0); "
        code = (
            "import django; django.setup(); from django.core.management import call_command; "
            f"{migrate}from tests.delivery.seed import seed; seed(readers={readers}, **{edition!r})"
        )
        subprocess.run(
            [sys.executable, "-c", code],
            env={**self.env, "DJANGO_SETTINGS_MODULE": "headlines.settings"},
            cwd=REPO,
            check=True,
            timeout=120,
        )


def fresh_postgres_url(template: str | None = None, *, migrated: bool = False) -> str:
    """Create a database on the local server, empty or a copy of `template` (a database
    URL); `drop_postgres` removes it. `migrated`: a copy of an empty database that `headlines
    migrate --noinput` migrated once in this test run (about 8 s of wall time on this server
    each time instead)."""
    import psycopg

    if migrated:
        assert template is None
        if not _migrated_postgres:
            empty = fresh_postgres_url()
            atexit.register(drop_postgres, empty)
            folder = Path(tempfile.mkdtemp(prefix="headlines-migrated-"))
            atexit.register(shutil.rmtree, folder, True)
            Installation(folder, database_url=empty).run("migrate", "--noinput")
            _migrated_postgres.append(empty)
        template = _migrated_postgres[0]
    name = f"h_delivery_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        # A template's last user (a child just ended) may still be leaving the server.
        for wait in (0.1, 0.2, 0.5, 1, 2, 4, 0):
            try:
                conn.execute(f'CREATE DATABASE "{name}"{copy}')
                break
            except psycopg.errors.ObjectInUse:
                if not wait:
                    raise
                time.sleep(wait)
    url = f"{PG_SERVER}/{name}"
    if migrated:
        _migrated_copies.add(url)
    return url


def drop_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
