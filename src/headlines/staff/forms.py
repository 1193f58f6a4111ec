"""The staff admin's login form: Django's, with the failed sign-in limits of `loginlimit`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator

from headlines.core.clients import client_ip
from headlines.staff.loginlimit import (
    SignInPaused,
    staff_login_begin,
    staff_login_succeeded,
)
from headlines.staff.models import USERNAME_MAX


class StaffLoginForm(AdminAuthenticationForm):
    paused_until: dt.datetime | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Django sets the field's max_length after the field is built, so it only reaches the
        # widget; a 10,000-character name went on to the password check. Now a form error.
        field = self.fields["username"]
        limit = getattr(field, "max_length", None) or USERNAME_MAX
        field.validators.append(MaxLengthValidator(limit))

    def clean(self) -> dict[str, Any]:
        """Django's `AuthenticationForm.clean`, asking the limits first: a paused username or
        address is refused before its password is checked."""
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data  # the field's own error (empty, too long, NUL) is shown
        ip = client_ip(self.request) if self.request is not None else None
        try:
            attempt = staff_login_begin(username=username, address=ip)
        except SignInPaused as exc:
            self.paused_until = exc.until  # the view answers 429 with Retry-After
            raise ValidationError(str(exc), code="paused") from None
        self.user_cache = authenticate(self.request, username=username, password=password)
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)  # not staff, or inactive: still a failure
        staff_login_succeeded(attempt=attempt)
        return self.cleaned_data
