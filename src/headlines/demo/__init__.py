"""`headlines run --demo`: the whole path, offline, on one machine (the newcomer's five minutes).

The sample newsroom (three invented outlets, see `content.py` and `data/articles.toml`) is served
on localhost and ingested over HTTP through the real intake path; today's US and UK digests are
built and delivered to a few demo readers into the built-in outbox. Every step is idempotent:
re-running the demo prints the same staff login and never doubles a reader or a message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO, TypeVar

from django.conf import settings
from django.urls import reverse

from headlines.core.services import editions_ensure_demo
from headlines.demo import steps
from headlines.demo.server import NewsroomServer
from headlines.demo.staff import staff_login_ensure

T = TypeVar("T")

# The running newsroom, kept so that it lives as long as the service that ingests it.
_newsroom: NewsroomServer | None = None


def start_demo(*, host: str, port: int, out: TextIO) -> NewsroomServer:
    global _newsroom
    editions = editions_ensure_demo()
    if _newsroom is None:
        moment = steps.newsroom_moment(editions=editions)
        _newsroom = steps.newsroom_start(port=port, now=moment)
    newsroom = _newsroom
    out.write(f"Sample newsroom on {newsroom.base_url}/\n")
    out.write("Editions: " + ", ".join(e.name for e in editions) + "\n")
    login = staff_login_ensure(data_dir=settings.DATA_DIR)

    sources = _step(out, "Sources", lambda: steps.sources_ensure(newsroom=newsroom, out=out))
    _step(
        out,
        "Ingesting the newsroom over HTTP",
        lambda: steps.sources_ingest(sources=sources, out=out),
    )
    _step(out, "Demo readers", lambda: steps.readers_ensure(editions=editions, out=out))
    digests = _step(out, "Today's digests", lambda: steps.digests_build(editions=editions, out=out))
    _step(
        out, "Delivering into the outbox", lambda: steps.digests_deliver(digests=digests, out=out)
    )

    out.write(urls_text(host=host, port=port, username=login.username, password=login.password))
    return newsroom


def stop_demo() -> None:
    global _newsroom
    if _newsroom is not None:
        _newsroom.stop()
        _newsroom = None


def _step(out: TextIO, title: str, run: Callable[[], T]) -> T:
    out.write(f"{title}:\n")
    return run()


def urls_text(*, host: str, port: int, username: str, password: str) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (a display name)
    base = f"http://{shown}:{port}"
    outbox = reverse("admin:core_outboxmessage_changelist")
    return (
        "\n"
        f"  Landing page  {base}/\n"
        f"  Admin         {base}{reverse('admin:index')}   "
        f"login: {username} / password: {password}\n"
        f"  Outbox        {base}{outbox}\n"
        f"  Archive       {base}/archive/\n"
        "\n"
    )
