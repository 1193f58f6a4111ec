"""The newcomer's path in Chromium, over the demo: sign up → confirm → the next digest arrives →
one-click unsubscribe → the digest after that does not.

Every step goes through the real doors: the sample newsroom over HTTP, intake, stories, digests,
the landing page, the confirmation email, delivery into the outbox and the RFC 8058 POST.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core.management import call_command

from headlines.core.models import Edition, OutboxMessage
from headlines.demo import start_demo, stop_demo
from headlines.demo.steps import DEMO_READERS
from headlines.digests.models import Digest
from headlines.digests.services import digest_build

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
READER = "new.reader@example.com"


def mail_to(address: str) -> list[EmailMessage]:
    messages = []
    for row in OutboxMessage.objects.filter(recipients__contains=address).order_by("id"):
        parsed = message_from_bytes(bytes(row.raw), policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        messages.append(parsed)
    return messages


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


def send(digest: Digest) -> None:
    """`headlines send`, the operator's door: approve if needed, deliver to who has not had it."""
    call_command(
        "send",
        "--edition",
        digest.edition.slug,
        "--date",
        f"{digest.date:%Y-%m-%d}",
        stdout=io.StringIO(),
    )


@pytest.fixture
def demo(live_server, settings, tmp_path):
    service = live_server.url.replace("localhost", "127.0.0.1")
    settings.BASE_URL = service  # the links in emails point at the live service
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    start_demo(host="127.0.0.1", port=int(service.rsplit(":", 1)[1]), out=out)
    yield service, out.getvalue()
    stop_demo()


def test_sign_up_confirm_receive_the_next_digest_then_unsubscribe_in_one_click(page, demo) -> None:
    service, printed = demo
    assert "skipped:" not in printed, printed
    us = Edition.objects.get(slug="us")
    today = Digest.objects.filter(edition=us).latest("date")
    assert today.state == Digest.State.SENT, "the demo delivered today's digest"

    # Landing page → sign up for the US edition.
    page.goto(f"{service}/")
    form = page.locator("#edition-us form")
    form.locator("input[type=email]").fill(READER)
    form.get_by_role("button", name="SIGN UP").click()
    page.get_by_text("Thanks for signing up to the US Evening Headlines email").wait_for()

    # The confirmation email's link shows a button; pressing it confirms.
    (confirmation,) = mail_to(READER)
    link = re.search(r"https?://\S+/confirm/\S+/", text_of(confirmation))
    assert link, text_of(confirmation)
    page.goto(link.group(0))
    page.get_by_role("button").first.click()
    page.wait_for_load_state()

    # The next digest reaches the new reader (everyone else already had it: nobody twice).
    send(today)
    got = [m for m in mail_to(READER) if today.subject and m["Subject"] == today.subject]
    assert len(got) == 1, [m["Subject"] for m in mail_to(READER)]
    us_readers = sum(1 for r in DEMO_READERS if r.edition == "us")
    assert OutboxMessage.objects.filter(subject=today.subject).count() == us_readers + 1
    digest_mail = got[0]
    assert digest_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # One-click unsubscribe, as a mail client does it: a POST with no session and no token.
    https_link = re.search(r"<(https?://[^>]+)>", digest_mail["List-Unsubscribe"])
    assert https_link, digest_mail["List-Unsubscribe"]
    response = page.request.post(
        https_link.group(1),
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.ok, response.status

    # The digest after that goes to the demo readers but not to the reader who left.
    later = digest_build(edition_id=us.pk, day=today.date - dt.timedelta(days=1))
    assert later.pk != today.pk and later.subject
    send(later)
    assert OutboxMessage.objects.filter(subject=later.subject).exists()
    assert not [m for m in mail_to(READER) if m["Subject"] == later.subject]
