"""Writes on editions. Every function is one transaction and takes keyword arguments only."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction

from headlines.core.errors import Conflict, InvalidInput, invalid_input_from
from headlines.core.languages import language_tag
from headlines.core.models import Edition
from headlines.core.names import has_control

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


# Names zoneinfo opens that are no place's time: "Factory" (a placeholder whose abbreviation is
# "-00"), "localtime" (whatever zone this machine is set to), "posixrules", and the database's
# "posix/" and "right/" copies ("right/" zones count leap seconds: their clocks run 27 s off).
_NOT_A_PLACE = re.compile(r"Factory|localtime|posixrules|(?:posix|right)/.*")


def parse_timezone(name: str) -> str:
    try:
        if _NOT_A_PLACE.fullmatch(name):
            raise ValueError(name)
        zoneinfo.ZoneInfo(name)
    # OSError: zoneinfo opens the name as a file under tzdata, so a folder of zones ("Europe")
    # or a name longer than a file name may be is an operating system error, not "not found".
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            f"unknown time zone {name!r}; use an IANA name such as Europe/London", field="timezone"
        ) from None
    return name


def parse_send_at(value: str | dt.time) -> dt.time:
    if isinstance(value, dt.time):
        return value
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value.strip())
    if not match:
        raise InvalidInput(f"send time {value!r} must be HH:MM, e.g. 18:00", field="send_at")
    return dt.time(int(match.group(1)), int(match.group(2)))


def slug_clean(slug: str) -> str:
    """A slug (an edition's, a topic's) as it is stored (lower case), or InvalidInput."""
    typed, slug = slug, slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise InvalidInput(  # in the words the user typed ("Bad Slug", not "bad slug")
            f"slug {typed!r} must be lower-case letters, digits and hyphens (at most 50)",
            field="slug",
        )
    return slug


def name_clean(name: str, *, most: int, field: str = "name") -> str:
    """A name (an edition's, a topic's, a From name) as it is stored, one line of 1 to `most`
    printable characters, or InvalidInput naming `field`."""
    name = " ".join(name.split())  # one line: a line or paragraph separator is a space
    if not name or len(name) > most or has_control(name):
        said = field.replace("_", " ")
        raise InvalidInput(f"{said} must be 1 to {most} printable characters", field=field)
    return name


def edition_name_clean(name: str) -> str:
    """An edition's name as it is stored (one line), or InvalidInput."""
    return name_clean(name, most=120)


def from_name_clean(name: str) -> str:
    """An edition's From name (shown as the sender of its emails) as it is stored: one line of
    at most 120 printable characters, or empty for the edition's own name; else InvalidInput."""
    return name_clean(name, most=120, field="from_name") if name.strip() else ""


# RFC 2919's list-id-core: a label (dot-atom-text, RFC 5322) "." a namespace, the namespace a
# domain name of two labels or more, or "localhost"; at most 255 octets (our column holds 200).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SUB_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_LIST_ID = re.compile(
    rf"{_ATEXT}(?:\.{_ATEXT})*\.(?:localhost|{_SUB_DOMAIN}(?:\.{_SUB_DOMAIN})+)", re.ASCII
)
LIST_ID_MAX = 200


def list_id_clean(list_id: str) -> str:
    """An edition's List-Id (RFC 2919, without its angle brackets, e.g.
    `us.headlines.example.com`) as it is stored, or empty for `<slug>.<sender's domain>`; else
    InvalidInput. It goes into the List-Id header of every email the edition sends."""
    typed, list_id = list_id, list_id.strip().strip("<>").strip()
    if list_id and (len(list_id) > LIST_ID_MAX or not _LIST_ID.fullmatch(list_id)):
        raise InvalidInput(
            f"list id {typed[:80]!r} must be a List-Id as RFC 2919 has it: a name, a dot and a "
            f"domain, e.g. us.headlines.example.com (ASCII, no spaces, at most {LIST_ID_MAX} "
            "characters)",
            field="list_id",
        )
    return list_id


def edition_create(
    *,
    slug: str,
    name: str,
    timezone: str,
    send_at: str | dt.time = "18:00",
    language: str = "en",
    from_name: str = "",
    from_address: str = "",
    reply_to: str = "",
    list_id: str = "",
    privacy_url: str = "",
    privacy_version: str = "1",
    channel: str = "",
    auto_approve: bool = True,
) -> Edition:
    slug = slug_clean(slug)
    name = edition_name_clean(name)
    edition = Edition(
        slug=slug,
        name=name,
        timezone=parse_timezone(timezone.strip()),
        send_at=parse_send_at(send_at),
        language=language_tag(language),
        from_name=from_name_clean(from_name) or name,
        from_address=from_address,
        reply_to=reply_to,
        list_id=list_id_clean(list_id) or f"{slug}.{_base_host()}",
        privacy_url=privacy_url,  # empty: the built-in notice (Edition.privacy_link)
        privacy_version=privacy_version,
        channel=channel,
        auto_approve=auto_approve,
    )
    try:
        edition.full_clean(validate_unique=False)
    except Exception as exc:  # ValidationError, reported field by field
        raise invalid_input_from(exc) from None
    try:
        with transaction.atomic():
            edition.save()
    except IntegrityError:
        raise Conflict(f"an edition with slug {slug!r} already exists") from None
    return edition


def editions_ensure_demo() -> list[Edition]:
    """The two editions `headlines run --demo` promises: US (New York) and UK (London)."""
    wanted = [
        ("us", "US Evening Headlines", "America/New_York"),
        ("uk", "UK Evening Headlines", "Europe/London"),
    ]
    editions = []
    for slug, name, tz in wanted:
        existing = Edition.objects.filter(slug=slug).first()
        editions.append(existing or edition_create(slug=slug, name=name, timezone=tz))
    return editions


def _base_host() -> str:
    from urllib.parse import urlsplit

    return urlsplit(settings.BASE_URL).hostname or "localhost"


def jobs_retry(*, job_ids: list[int]) -> list[int]:
    """Failed jobs back to the queue with fresh attempts; their doorbells ring on commit."""
    from headlines.core import jobqueue, jobs

    with transaction.atomic():
        again = jobqueue.retry(ids=job_ids)
        if again:
            transaction.on_commit(lambda: jobs.ring(again), robust=True)
    return [job_id for job_id, _ in again]
