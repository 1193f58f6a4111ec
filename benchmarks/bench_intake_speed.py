"""Intake speed: importing stored HTML pages end to end (read, decode, extract, scrub,
de-duplicate, store in SQLite) against bare `trafilatura.extract` on the same pages in the same
run, and peak memory of the import at two page counts (each in a fresh process).
Run: `python -m benchmarks bench_intake_speed` (pages: HEADLINES_BENCH_PAGES, default 1000)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_intake_quality import load_generator

PAGES = int(os.environ.get("HEADLINES_BENCH_PAGES", "1000"))
CHUNK = 100


def fresh_django(folder: Path) -> None:
    os.environ["HEADLINES_DATA_DIR"] = str(folder / "var")
    os.environ.pop("HEADLINES_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headlines.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def make_pages(folder: Path, count: int, seed: int) -> list[Path]:
    return list(load_generator().pages_only(folder, count, seed))


def timed_run(count: int) -> None:
    import trafilatura

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fresh_django(root)
        from headlines.intake import services

        pages = make_pages(root, count, seed=11)
        warm = make_pages(root / "warm", 8, seed=12)
        for path in warm:  # first calls load trafilatura's and lxml's lazy parts
            trafilatura.extract(path.read_bytes())
        services.articles_import(paths=[str(root / "warm" / "pages")], source_name="warm")
        # Interleaved in chunks, so that other load on the machine falls on both sides alike.
        bare = ours = bare_cpu = ours_cpu = 0.0
        new = duplicates = failed = 0
        for start in range(0, len(pages), CHUNK):
            chunk = pages[start : start + CHUNK]
            began, began_cpu = time.perf_counter(), time.process_time()
            for path in chunk:
                trafilatura.extract(path.read_bytes(), include_comments=False, include_tables=False)
            bare += time.perf_counter() - began
            bare_cpu += time.process_time() - began_cpu
            began, began_cpu = time.perf_counter(), time.process_time()
            report = services.articles_import(paths=[str(p) for p in chunk], source_name="bench")
            ours += time.perf_counter() - began
            ours_cpu += time.process_time() - began_cpu
            new, duplicates = new + report.new, duplicates + report.duplicates
            failed += len(report.failed)
    print(f"pages: {len(pages)} (new {new}, duplicates {duplicates}, failed {failed})")
    print(f"bare trafilatura.extract: {bare:6.2f} s  ({1000 * bare / len(pages):5.1f} ms/page)")
    print(f"headlines import:         {ours:6.2f} s  ({1000 * ours / len(pages):5.1f} ms/page)")
    print(f"ratio (wall): {ours / bare:.2f}x (target <= 1.3x)")
    # The machine may be shared; CPU time of this process is what other load disturbs least.
    print(
        f"CPU time: bare {bare_cpu:.2f} s, ours {ours_cpu:.2f} s, ratio {ours_cpu / bare_cpu:.2f}x"
    )


def memory_run(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        fresh_django(root)
        from headlines.intake import services

        make_pages(root, count, seed=21)
        import trafilatura

        trafilatura.extract("<html><body><p>warm up</p></body></html>")
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        services.articles_import(paths=[str(root / "pages")], source_name="memory")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{count} {before} {after}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--memory":
        memory_run(int(sys.argv[2]))
        return
    child = [sys.executable, "-m", "benchmarks.bench_intake_speed", "--time"]
    subprocess.run([*child, str(PAGES)], check=True)  # a fresh process: a clean database
    for count in (PAGES // 4, PAGES):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_intake_speed", "--memory", str(count)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        n, before, after = (int(x) for x in out[-3:])
        print(
            f"peak RSS importing {n:5d} pages: {after / 1024:6.1f} MiB "
            f"(+{(after - before) / 1024:5.1f} MiB over the process before importing)"
        )


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--time":
        timed_run(int(sys.argv[2]))
    else:
        main()
