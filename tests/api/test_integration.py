"""The issue's "done when", through the real door: `headlines run` (waitress, embedded worker),
an SMTP peer for the mail, a webhook receiver, and only the documented API and links.

A script signs a reader up, sees the confirmation webhook arrive signed, reads the digest's
click figures, and erases the reader.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from standardwebhooks import Webhook

from tests.conftest import SMTPPeer
from tests.delivery.children import Installation, free_port
from tests.travel import child_now
from tests.webhooks.conftest import Receiver

# Its other processes run on databases the test makes (tests.delivery.children), not the
# suite's, and the test itself never touches the suite's: the PostgreSQL suite deselects it.
pytestmark = pytest.mark.own_database


def verified(secret: str, hit: Any) -> dict[str, Any]:
    """Verified as a receiver on this machine would: by the real clock that the signing child
    (`headlines run`) read. The test process's own clock may be travelled (tests/travel.py), and
    a signature's timestamp is checked against the receiver's clock."""
    with time_machine.travel(child_now(), tick=True):
        return dict(Webhook(secret).verify(hit.body, hit.headers))


# The child runs on the system clock: its "today" (UTC, the edition's zone) is the digest's day.


@functools.cache
def day() -> dt.date:
    """Today by the children's clock (the real one: this process's may be travelled)."""
    return child_now().date()


def wait_until(condition, what: str, timeout: float = 30) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def service(tmp_path: Path, smtp_peer: SMTPPeer) -> Iterator[tuple[Installation, str]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    child = Installation(
        tmp_path,
        HEADLINES_SMTP_URL=smtp_peer.url,
        HEADLINES_BASE_URL=base,
        HEADLINES_WEBHOOK_ALLOW_PRIVATE="true",
        HEADLINES_SCHEDULER_TICK_SECONDS="1",
    )
    child.migrate()
    child.run("edition", "add", "us", "--name", "US Evening Headlines", "--timezone", "UTC")
    # The day's news is in before the service starts, whenever its scheduler builds the draft.
    articles = tmp_path / "wire.jsonl"
    articles.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Harbour {word} reopens after storm repairs",
                    "text": f"The {word} harbour reopened after repairs. Crews worked for "
                    f"weeks on the {word} quay, officials said.",
                    "url": f"https://wire.example/{word}",
                    "date": f"{day()}T12:00:00Z",
                }
            )
            for word in ("north", "south")
        )
    )
    child.run("import", str(articles), "--source", "Wire", "--edition", "us")
    process, _ = child.serve(port=port)
    try:
        yield child, base
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_script_signs_up_sees_the_webhook_reads_clicks_and_erases(
    service, smtp_peer: SMTPPeer
) -> None:
    child, base = service
    receiver = Receiver().up()
    api, reader = httpx.Client(base_url=f"{base}/api/v1"), httpx.Client()
    try:
        token = child.run("api-token", "create", "script").stdout.strip()
        api.headers["Authorization"] = f"Bearer {token}"
        added = child.run(
            "webhook", "add", receiver.url, "--events", "subscriber.confirmed,subscriber.erased"
        ).stdout
        secret = re.search(r"whsec_\S+", added).group(0)  # type: ignore[union-attr]

        # 0. The schema and its docs, with Swagger UI's own files, come from this service.
        assert reader.get(f"{base}/api/v1/openapi.json").json()["openapi"].startswith("3.")
        assert "/static/ninja/swagger-ui-bundle.js" in reader.get(f"{base}/api/v1/docs").text
        assert reader.get(f"{base}/static/ninja/swagger-ui-bundle.js").status_code == 200
        # HEAD is answered where GET is (RFC 9110), by waitress without the body.
        get, head = api.get("/editions"), api.head("/editions")
        assert (head.status_code, head.content) == (200, b"")
        assert head.headers["content-length"] == get.headers["content-length"] != "0"

        # 1. Sign a reader up: double opt-in, as the form.
        signup = api.post("/subscribers", json={"email": "reader@example.com", "edition": "us"})
        assert signup.status_code == 202, signup.text
        wait_until(lambda: smtp_peer.to("reader@example.com"), "the confirmation email")
        confirm = re.search(
            r"https?://\S+/confirm/[^\s/]+/", smtp_peer.to("reader@example.com")[0].text()
        )
        assert confirm is not None
        page = reader.get(confirm.group(0))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        assert reader.post(confirm.group(0), data={"csrfmiddlewaretoken": csrf}).status_code == 200

        # 2. The confirmation webhook arrives, signed.
        wait_until(lambda: receiver.received, "the subscriber.confirmed webhook")
        hit = receiver.received[0]
        event = verified(secret, hit)
        assert event["type"] == "subscriber.confirmed"
        assert event["data"]["email"] == "reader@example.com"

        # 3. A digest goes out; the reader opens one story; the API shows the click figures.
        child.run("send", "--edition", "us", "--date", f"{day()}")
        wait_until(lambda: len(smtp_peer.to("reader@example.com")) >= 3, "the digest email")
        digest_mail = smtp_peer.to("reader@example.com")[-1].text()
        link = re.search(r"https?://\S+/r/[^\s/]+/", digest_mail)
        assert link is not None and "wire.example" not in link.group(0)
        opened = reader.get(link.group(0))
        assert opened.status_code == 302 and opened.headers["location"].startswith(
            "https://wire.example/"
        )
        [digest] = api.get("/digests", params={"edition": "us"}).json()
        clicks = api.get(f"/digests/{digest['id']}/clicks").json()
        assert clicks["total"] == 1 and sorted(s["clicks"] for s in clicks["stories"])[-1] == 1

        # 4. Erase the reader; downstream hears of it.
        erased = api.post("/subscribers/erase", json={"email": "reader@example.com"})
        assert erased.status_code == 200
        assert api.get("/subscribers", params={"email": "reader@example.com"}).status_code == 404
        wait_until(lambda: len(receiver.received) >= 2, "the subscriber.erased webhook")
        last = verified(secret, receiver.received[-1])
        assert last["type"] == "subscriber.erased"
    finally:
        receiver.down()
        api.close()
        reader.close()
