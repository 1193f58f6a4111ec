"""The demo's staff login: one editor account whose password is kept in the data dir.

Re-running the demo prints the same login, so a newcomer who wrote it down is never locked out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

USERNAME = "editor"
PASSWORD_FILE = "demo-staff-password"  # noqa: S105 (a file name, not a password)


@dataclass(frozen=True)
class StaffLogin:
    username: str
    password: str
    created: bool


def demo_password(*, data_dir: Path) -> str:
    """The stored password, generated (and stored, readable by its owner only) on first use."""
    path = data_dir / PASSWORD_FILE
    if path.is_file():
        stored = path.read_text(encoding="utf-8").strip()
        if stored:
            return stored
    password = secrets.token_urlsafe(12)
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


@transaction.atomic
def staff_login_ensure(*, data_dir: Path) -> StaffLogin:
    """Make sure the demo editor exists, is active staff, and has the stored password."""
    password = demo_password(data_dir=data_dir)
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=USERNAME, defaults={"email": "editor@localhost"}
    )
    changed = created or not user.check_password(password)
    if changed:
        user.set_password(password)
    if not (user.is_staff and user.is_superuser and user.is_active):
        user.is_staff = user.is_superuser = user.is_active = True
        changed = True
    if changed:
        user.save()
    return StaffLogin(username=USERNAME, password=password, created=created)
