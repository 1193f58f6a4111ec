"""The admin's templates that share a name with one of Django's: an override of Django's own
blocks where it has one around the change, else a copy that names the Django it came from."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import django
import pytest
from django.contrib import admin
from django.test import Client

import headlines
from headlines.core.admin_lists import CappedPaginator
from headlines.core.models import Job

OURS = Path(headlines.__file__).parent / "templates" / "admin"
DJANGOS = Path(django.__file__).parent / "contrib" / "admin" / "templates" / "admin"
SAME_NAME = sorted(p.name for p in OURS.glob("*.html") if (DJANGOS / p.name).exists())


@pytest.mark.parametrize("name", SAME_NAME)
def test_a_template_named_as_djangos_extends_it_or_names_the_django_it_copies(name: str) -> None:
    # A whole copy of Django's template keeps the Django it was copied from when Django is
    # upgraded: this fails then, until the copy is compared with the new one and its version
    # moved on. Extending Django's template (the same name, found after this folder) keeps up.
    text = (OURS / name).read_text()
    if text.startswith(f'{{% extends "admin/{name}" %}}'):
        return
    copied = re.search(r"A copy of Django (\d+\.\d+)'s admin/(\S+?),", text)
    assert copied, f"{name}: neither extends Django's nor names the Django it copies"
    assert copied.groups() == (f"{django.VERSION[0]}.{django.VERSION[1]}", name)


@pytest.mark.django_db
def test_the_actions_bar_is_djangos_with_select_all_for_a_list_counted_whole_only(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(admin.site.get_model_admin(Job), "list_per_page", 2)
    now = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)
    Job.objects.bulk_create(
        [Job(kind="subscriptions.send_welcome", run_after=now, status="done") for _ in range(5)]
    )
    page = admin_client.get("/admin/core/job/").content.decode()
    assert 'title="Run the selected action"' in page  # Django's own blocks, as they are
    assert 'data-actions-icnt="2"' in page and "Select all 5 jobs" in page
    # Past the cap, "Select all" would reach rows the list never counted.
    monkeypatch.setattr(CappedPaginator, "CAP", 3)
    page = admin_client.get("/admin/core/job/").content.decode()
    assert "more than 3 jobs" in page and "question hidden" not in page
