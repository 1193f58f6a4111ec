"""Model fields whose automatic timestamps come from the project's clock (`core.clock`).

Django's `auto_now` and `auto_now_add` read the wall clock through `timezone.now()`; a test or a
replay that moves the project's clock would then store rows dated on another day than every
decision made about them. These fields keep Django's semantics and change only the source.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from headlines.core import clock


class ClockDateTimeField(models.DateTimeField):
    """A DateTimeField whose `auto_now` / `auto_now_add` value is `core.clock.now()`."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        if self.auto_now or (self.auto_now_add and add):
            value: dt.datetime = clock.now()
            setattr(model_instance, self.attname, value)
            return value
        return super().pre_save(model_instance, add)
