"""Time of a day's clustering when one event is told by hundreds of near-copies.

A wire story carried by hundreds of outlets, each copy with its outlet's name in it, is no
duplicate at import (the texts differ) and more reports than a report's list of nearest holds:
the linkage leaves it in pieces and `pieces.joined_pieces` joins them, one join a piece, each
rescoring the grown story against every other piece. A window of 2,000 articles (the labelled
set's generator, `bench_wide_window.generated`) where COPIES of them are replaced by such
copies of one story; COPIES 0 is the baseline the ratios are against. Each case runs in a
process of its own.

    .venv/bin/python -m benchmarks bench_told_widely
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import time

SIZE = 2_000
COPIES = (0, 300, 600, 1_000)
WIRE = (
    "Stocks opened higher on Wall Street on Monday as investors cheered stronger than expected "
    "earnings from the big banks, said {name}, a trader on the floor of the exchange."
)


def one(copies: int) -> dict[str, float]:
    """Cluster one window with `copies` copies of the wire story in this process."""
    from benchmarks import bench_clustering, bench_wide_window, clustering_dev, django_setup

    django_setup()
    from headlines.stories import planning

    rng = random.Random(f"told-widely-{SIZE}")
    made = bench_wide_window.generated(SIZE, rng)[: SIZE - copies]
    for k in range(copies):
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)).title()
        made.append(
            clustering_dev.Article(
                id=f"wire-{k}",
                title="Stocks open higher as bank earnings beat forecasts",
                text=WIRE.format(name=name),
                story="wire",
                set="generated",
            )
        )
    rng.shuffle(made)
    built = bench_clustering.rows_of(made)
    started = time.perf_counter()
    labels = planning.cluster_rows(built).labels
    seconds = time.perf_counter() - started
    wire = {label for label, a in zip(labels, made, strict=True) if a.story == "wire"}
    return {
        "articles": len(built),
        "stories": len(set(labels)),
        "wire_stories": len(wire),
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    print(f"{'window of 2,000 articles':<34} {'clustering':>11} {'peak RSS':>9}  the copies in")
    base: dict[str, float] | None = None
    for copies in COPIES:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_told_widely", "--one", str(copies)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        base = base or r
        what = f"{copies:,} copies of one story" if copies else "no copies (the baseline)"
        told = f"{int(r['wire_stories'])} stories" if copies else "-"
        times, memory = r["seconds"] / base["seconds"], r["peak_mb"] / base["peak_mb"]
        print(
            f"{what:<34} {r['seconds']:>9.2f} s {r['peak_mb']:>6,.0f} MB  {told:<11} "
            f"time x{times:.1f}, memory x{memory:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
