import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration() -> None:
    out = io.StringIO()
    # --check exits non-zero (SystemExit) when a model changed without a migration.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_starting_at_the_default_send_time_prints_no_system_check_warning() -> None:
    import datetime as dt

    import time_machine
    from django.core import checks

    # Django takes a fixed time default for a mistake within ten seconds of it: a server started
    # at 17:59:55 warned "Fixed default value provided" about the 18:00 send time.
    with time_machine.travel(dt.datetime(2026, 11, 25, 18, 0, 3, tzinfo=dt.UTC), tick=False):
        found = [m.id for m in checks.run_checks()]
    assert "fields.W161" not in found
