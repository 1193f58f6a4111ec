"""Engagement's periodic job: forget the address hashes once the scanner window has passed."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.core.scheduler import every


@job("engagement.forget_addresses")
def forget_addresses() -> int:
    from headlines.engagement.services import clicks_forget_addresses

    return clicks_forget_addresses()


every(60, "engagement.forget_addresses")
