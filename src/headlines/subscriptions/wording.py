"""The exact words readers are shown. The consent ledger stores these strings verbatim."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from headlines.core.models import Edition

MARKETING = "I would like to be emailed about offers, events and updates."
PRIVACY_LINK = "Read our privacy notice."
INVALID_EMAIL = "Please enter a valid email address."
# A valid address whose part before the @ has letters beyond ASCII (ännä@example.de): refused
# because not every relay speaks SMTPUTF8, which "not a valid address" did not tell the reader.
INTERNATIONAL_EMAIL = (
    "Sorry, we cannot yet send to an address with accented or non-Latin letters before the @. "
    "Please use another address."
)


def newsletter_offer(edition: Edition) -> str:
    return f"Sign up to our free {edition.name} email for your daily guide to the latest news."


def thanks(edition: Edition) -> str:
    return f"Thanks for signing up to the {edition.name} email."


def check_inbox() -> str:
    return "Please check your inbox and click the link in the email we sent to confirm."


def confirm_button(edition: Edition) -> str:
    return f"Yes, send me the {edition.name} email."


def preferences_newsletter(edition: Edition) -> str:
    return f"Send me the {edition.name} email."


def unsubscribe_button(edition: Edition) -> str:
    return f"Unsubscribe me from the {edition.name} email."


ONE_CLICK = "List-Unsubscribe=One-Click (RFC 8058)"
IMPORTED = "Imported from the publisher's list; consent given as recorded in the file."
ERASED = "Reader asked for their data to be erased."


def first_digest(at: dt.datetime | None, zone: str) -> str:
    """ "Your first digest arrives on Tuesday 1 December at 18:00 (New York time)."."""
    if at is None:
        return "This newsletter is paused; your first digest arrives when it starts again."
    local = at.astimezone(zoneinfo.ZoneInfo(zone))
    place = zone.rpartition("/")[2].replace("_", " ")
    return (
        f"Your first digest arrives on {local:%A} {local.day} {local:%B} "
        f"at {local:%H:%M} ({place} time)."
    )
