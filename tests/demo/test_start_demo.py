import io

import pytest
from django.contrib.auth import get_user_model

from headlines.core.models import Edition, OutboxMessage
from headlines.demo import start_demo, stop_demo
from headlines.demo.steps import DEMO_READERS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    yield tmp_path
    stop_demo()


def run_demo() -> str:
    out = io.StringIO()
    start_demo(host="0.0.0.0", port=8765, out=out)
    return out.getvalue()


def test_the_demo_prints_the_login_and_the_urls_a_newcomer_needs(data_dir) -> None:
    text = run_demo()
    password = (data_dir / "demo-staff-password").read_text().strip()
    assert f"login: editor / password: {password}" in text
    for line in (
        "Landing page  http://127.0.0.1:8765/",
        "Admin         http://127.0.0.1:8765/admin/",
        "Outbox        http://127.0.0.1:8765/admin/core/outboxmessage/",
        "Archive       http://127.0.0.1:8765/archive/",
        "Sample newsroom on http://127.0.0.1:",
    ):
        assert line in text
    assert set(Edition.objects.values_list("slug", flat=True)) == {"us", "uk"}


def test_running_the_demo_again_changes_nothing_it_made(data_dir) -> None:
    first = run_demo()
    mailed = OutboxMessage.objects.count()
    second = run_demo()
    password_line = [line for line in first.splitlines() if "password:" in line]
    assert password_line and password_line[0] in second
    assert get_user_model().objects.filter(username="editor").count() == 1
    assert Edition.objects.count() == 2
    assert OutboxMessage.objects.count() == mailed, "a re-run mails nobody twice"


def test_every_demo_reader_finds_todays_digest_in_the_outbox(data_dir) -> None:
    text = run_demo()
    assert "skipped:" not in text, text
    for reader in DEMO_READERS:
        to_reader = OutboxMessage.objects.filter(recipients__contains=reader.email)
        assert to_reader.filter(subject__contains="Evening Headlines").exists(), reader.email
