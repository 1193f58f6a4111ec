"""Start-up: wall time and peak RSS of `headlines --help` and `headlines edition list`, beside
`python -c pass` measured in the same run. Target: 0.4 s and 80 MB for each command.

Each command runs in a fresh process (as a person or a cron job starts it) against a migrated
SQLite database in a temporary data dir; peak RSS is that child's ru_maxrss (wait4). Median of
BENCH_STARTUP_RUNS (default 15) runs, one warm-up first so .pyc files exist.
`python -m benchmarks bench_startup`.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.4
TARGET_MB = 80

HEADLINES = str(Path(sys.executable).with_name("headlines"))
CASES = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "headlines --help": [HEADLINES, "--help"],
    "headlines edition list": [HEADLINES, "edition", "list"],
}


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one fresh process."""
    started = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own rusage, not all children's
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(argv)} exited {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    runs = int(os.environ.get("BENCH_STARTUP_RUNS", "15"))
    data_dir = tempfile.mkdtemp(prefix="bench-startup-")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HEADLINES_")},
        "HEADLINES_DATA_DIR": data_dir,
        "HEADLINES_ENV_FILE": os.devnull,
    }
    subprocess.run([HEADLINES, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run(
        [HEADLINES, "edition", "add", "us", "--name", "US", "--timezone", "America/New_York"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: dict[str, tuple[float, float, float]] = {}
    for name, argv in CASES.items():
        measure(argv, env)  # warm-up: bytecode caches, page cache
        samples = [measure(argv, env) for _ in range(runs)]
        results[name] = (
            statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples),
            max(s[2] for s in samples),
        )
    base_wall = results["python -c pass"][0]
    print(f"median of {runs} fresh processes; load average {os.getloadavg()[0]:.1f}")
    for name, (wall, cpu, rss) in results.items():
        verdict = ""
        if name != "python -c pass":
            ok = wall <= TARGET_SECONDS and rss <= TARGET_MB
            verdict = f"  target {TARGET_SECONDS} s / {TARGET_MB} MB: {'met' if ok else 'MISSED'}"
        print(
            f"{name:<24} wall {wall:.3f} s ({wall / base_wall:4.1f}x python)  cpu {cpu:.3f} s  "
            f"peak RSS {rss:.0f} MB{verdict}"
        )


if __name__ == "__main__":
    main()
