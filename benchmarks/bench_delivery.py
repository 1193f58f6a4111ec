"""Delivery throughput: 20,000 readers, DKIM on, to Postfix's smtp-sink on loopback.

`python -m benchmarks bench_delivery` (or `make bench`). Each measurement runs in a fresh child
process with its own data dir and SQLite database, so peak memory (ru_maxrss) belongs to that
run alone: the end-to-end rate (ledger fill, claims, rendering, DKIM, SMTP, replies recorded)
beside a raw smtplib loop sending the very same bytes over one connection, at two reader counts
to show memory is flat in the number of readers. The `segments` case gives the edition three
topics and the readers all 8 combinations of them (none = the whole digest): each topic set's
body is rendered once during the send, so the rate should stay where the plain case is.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
SIZES = (5_000, 20_000)
STORY = (
    '<tr><td style="padding:12px 0;font-family:Georgia,serif"><h2 style="font-size:20px">'
    'Council approves the new river crossing after a decade of debate</h2><p style="color:#333">'
    "The vote ends years of argument over cost and route; construction starts in spring and "
    "the bridge should open in 2029, officials said. Residents welcomed the decision.</p>"
    '<p><a href="https://news.example/story/{n}">Read more</a></p></td></tr>\n'
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sink() -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    args = [SINK, "-c"]
    if os.geteuid() == 0:
        args += ["-u", "nobody"]
    sink = subprocess.Popen([*args, f"127.0.0.1:{port}", "256"], stdout=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sink, port
        except OSError:
            time.sleep(0.05)
    sink.kill()
    raise RuntimeError("smtp-sink did not start")


def _write_key(path: Path, kind: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if kind == "rsa"
        else ed25519.Ed25519PrivateKey.generate()
    )
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


def make_digest(readers: int) -> Any:
    """An edition, `readers` confirmed readers and a realistic approved digest (~8 KB)."""
    from django.utils import timezone

    from headlines.core.services import edition_create
    from headlines.digests.models import PREFERENCES_PLACEHOLDER, UNSUBSCRIBE_PLACEHOLDER, Digest
    from headlines.subscriptions.hashing import email_hash
    from headlines.subscriptions.models import Subscriber, Subscription

    ed = edition_create(
        slug="bench",
        name="Bench Evening Headlines",
        timezone="UTC",
        from_address="desk@news.example",
    )
    now = timezone.now()
    for start in range(0, readers, 5000):
        chunk = [f"reader{n}@example.org" for n in range(start, min(readers, start + 5000))]
        Subscriber.objects.bulk_create(
            [Subscriber(email=e, email_hash=email_hash(e)) for e in chunk]
        )
        ids = Subscriber.objects.filter(email__in=chunk).values_list("id", flat=True)
        Subscription.objects.bulk_create(
            [
                Subscription(subscriber_id=i, edition=ed, status="confirmed", confirmed_at=now)
                for i in ids
            ]
        )
    stories = "".join(STORY.format(n=n) for n in range(12))
    html = (
        '<!doctype html><html><body><table width="100%">' + stories + "</table>"
        f'<p><a href="{UNSUBSCRIBE_PLACEHOLDER}">Unsubscribe</a> · '
        f'<a href="{PREFERENCES_PLACEHOLDER}">Preferences</a></p></body></html>'
    )
    text = "\n\n".join(
        f"Council approves the new river crossing ({n})\nThe vote ends years of argument."
        for n in range(12)
    )
    text += f"\n\nUnsubscribe: {UNSUBSCRIBE_PLACEHOLDER}\nPreferences: {PREFERENCES_PLACEHOLDER}\n"
    return Digest.objects.create(
        edition=ed,
        date=dt.date(2026, 11, 25),
        state=Digest.State.APPROVED,
        subject="Tonight: the river crossing, the budget and the weather",
        html=html,
        text=text,
        built_at=now,
    )


BENCH_TOPICS = ("world", "money", "sport")


def add_segments(digest: Any) -> int:
    """Three topics, the digest's 12 stories spread over them, readers on all 8 combinations."""
    from headlines.digests.models import DigestItem
    from headlines.stories.topics import topic_add
    from headlines.subscriptions.models import Subscription

    for slug in BENCH_TOPICS:
        topic_add(edition=digest.edition.slug, slug=slug, name=slug.title())
    DigestItem.objects.bulk_create(
        [
            DigestItem(
                digest=digest,
                position=n,
                headline=f"Council approves the new river crossing ({n})",
                summary="The vote ends years of argument over cost and route.",
                url=f"https://news.example/story/{n}",
                topics=[BENCH_TOPICS[n % 3]] if n % 4 else [],
            )
            for n in range(1, 13)
        ]
    )
    combos = [[t for bit, t in enumerate(BENCH_TOPICS) if mask >> bit & 1] for mask in range(8)]
    ids = list(Subscription.objects.order_by("id").values_list("id", flat=True))
    for mask, topics in enumerate(combos):
        chosen = ids[mask::8]
        for start in range(0, len(chosen), 5000):
            Subscription.objects.filter(pk__in=chosen[start : start + 5000]).update(topics=topics)
    return len(combos)


def sending_setup(kind: str, *, prefix: str, log_level: str = "WARNING", **extra: str) -> Path:
    """A fresh data dir with a DKIM key of `kind`, the sending settings the delivery benchmarks
    share (and `extra` ones), and Django set up in this process; returns the data dir."""
    data = Path(tempfile.mkdtemp(prefix=prefix))
    _write_key(data / "dkim.pem", kind)
    os.environ.update(
        HEADLINES_DATA_DIR=str(data),
        HEADLINES_SECRET_KEY="bench",
        HEADLINES_DKIM_SELECTOR="bench",
        HEADLINES_DKIM_KEY_FILE=str(data / "dkim.pem"),
        HEADLINES_DELIVERY_BATCH="500",
        HEADLINES_DELIVERY_FLUSH="100",
        HEADLINES_LOG_LEVEL=log_level,
        DJANGO_SETTINGS_MODULE="headlines.settings",
        **extra,
    )
    import django

    django.setup()
    return data


def child(
    readers: int, port: int, kind: str, threads: int, segments: bool = False
) -> dict[str, Any]:
    """One measurement, in this (fresh) process."""
    data = sending_setup(kind, prefix="bench-delivery-")
    from django.core.management import call_command

    from headlines.core import mail
    from headlines.delivery.message import DigestTemplate
    from headlines.delivery.services import delivery_send_now
    from headlines.subscriptions.audience import Recipient

    call_command("migrate", verbosity=0)
    digest = make_digest(readers)
    combos = add_segments(digest) if segments else 1
    url = f"smtp://127.0.0.1:{port}?concurrency={threads}"

    # The baseline: the same bytes, one connection, a plain smtplib loop.
    rendered = DigestTemplate.for_digest(digest).render(
        Recipient(1, "r@example.org", (), "https://x.example/u/1", "https://x.example/p/1")
    )
    conn = mail.open_smtp(mail.parse_smtp_urls(url)[0])
    raw_n = min(readers, 10_000)
    started = time.perf_counter()
    for _ in range(raw_n):
        conn.sendmail(rendered.envelope_from, [rendered.recipient], rendered.raw)
    raw_rate = raw_n / (time.perf_counter() - started)
    conn.quit()

    messenger = mail.SMTPMessenger(mail.parse_smtp_urls(url))
    started = time.perf_counter()
    totals = delivery_send_now(digest_id=digest.pk, messenger=messenger, threads=threads)
    elapsed = time.perf_counter() - started
    messenger.close()
    shutil.rmtree(data, ignore_errors=True)
    assert totals.sent == readers, totals
    return {
        "readers": readers,
        "dkim": kind,
        "threads": threads,
        "topic_sets": combos,
        "message_bytes": len(rendered.raw),
        "seconds": round(elapsed, 2),
        "end_to_end_per_s": round(readers / elapsed),
        "raw_smtplib_per_s": round(raw_rate),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_child(
    readers: int, port: int, kind: str, threads: int, segments: bool = False
) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.bench_delivery",
            str(readers),
            str(port),
            kind,
            str(threads),
            "segments" if segments else "whole",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


REPEATS = 3


def main() -> None:
    if not os.path.exists(SINK):
        print("smtp-sink not found (Debian package postfix); skipped")
        return
    sink, port = start_sink()
    try:
        load = os.getloadavg()[0]
        print(f"machine: {os.cpu_count()} cores, load average {load:.1f}; smtp-sink :{port}")
        print(
            "readers dkim     threads sets  bytes  end-to-end/s  raw smtplib/s  ratio  peak RSS MiB"
        )
        only = os.environ.get("HEADLINES_BENCH_ONLY", "")  # e.g. "segments": that case alone
        plan = [(n, "ed25519", 4, False) for n in SIZES] + [(SIZES[-1], "rsa", 4, False)]
        plan += [(SIZES[-1], "ed25519", 4, True), (SIZES[-1], "rsa", 4, True)]
        if only == "segments":
            plan = [(SIZES[-1], "ed25519", 4, False), *(p for p in plan if p[3])]
        for readers, kind, threads, segments in plan:
            runs = [run_child(readers, port, kind, threads, segments) for _ in range(REPEATS)]
            for r in sorted(runs, key=lambda r: r["end_to_end_per_s"]):
                ratio = r["end_to_end_per_s"] / r["raw_smtplib_per_s"]
                print(
                    f"{r['readers']:>7} {r['dkim']:<8} {r['threads']:>7} {r['topic_sets']:>4} "
                    f"{r['message_bytes']:>6} "
                    f"{r['end_to_end_per_s']:>13} {r['raw_smtplib_per_s']:>14} {ratio:>6.2f} "
                    f"{r['peak_rss_mib']:>13}",
                    flush=True,
                )
            median = sorted(r["end_to_end_per_s"] for r in runs)[len(runs) // 2]
            print(f"  median of {REPEATS}: {median} messages/s end to end")
    finally:
        sink.terminate()
        sink.wait()


if __name__ == "__main__":
    if len(sys.argv) == 6:
        readers, port, kind, threads = (
            int(sys.argv[1]),
            int(sys.argv[2]),
            sys.argv[3],
            int(sys.argv[4]),
        )
        print(json.dumps(child(readers, port, kind, threads, sys.argv[5] == "segments")))
    else:
        main()
