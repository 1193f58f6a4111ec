"""Checking a reader's email address: syntax always, DNS deliverability when configured."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

from django.conf import settings

from headlines.core.errors import InvalidInput
from headlines.subscriptions.hashing import normalise_email
from headlines.subscriptions.wording import INVALID_EMAIL

log = logging.getLogger(__name__)

DNS_TIMEOUT_SECONDS = 3


def email_validate(raw: object, *, check_dns: bool | None = None, resolver: Any = None) -> str:
    """The normalised address, or InvalidInput(INVALID_EMAIL, field="email").

    Line breaks, NUL and other control characters are refused before the validator sees them:
    they are how a header injection (`a@b.com\\r\\nBcc: x@y`) starts. International local parts
    are refused too, because not every relay speaks SMTPUTF8; international domains are kept in
    their ASCII (IDNA) form.
    """
    if not isinstance(raw, str):
        raise InvalidInput(INVALID_EMAIL, field="email")
    value = raw.strip()
    if not value or len(value) > 254 or any(_is_control(ch) for ch in value):
        raise InvalidInput(INVALID_EMAIL, field="email")
    # email-validator loads dnspython: commands that never read an address do not pay for it.
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, UnicodeError):
        raise InvalidInput(INVALID_EMAIL, field="email") from None
    address = normalise_email(info.ascii_email or info.normalized)
    if check_dns is None:
        check_dns = bool(settings.CONFIG["HEADLINES_EMAIL_CHECK_DNS"])
    if check_dns and not _domain_accepts_mail(address, resolver):
        raise InvalidInput(INVALID_EMAIL, field="email")
    return address


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}


def _domain_accepts_mail(address: str, resolver: Any) -> bool:
    """False only when DNS answered that the domain takes no mail; unreachable DNS means True."""
    from email_validator import EmailUndeliverableError, validate_email

    try:
        if resolver is None:
            import dns.resolver

            resolver = dns.resolver.Resolver()
            resolver.lifetime = DNS_TIMEOUT_SECONDS
        info = validate_email(
            address, check_deliverability=True, allow_smtputf8=False, dns_resolver=resolver
        )
    except EmailUndeliverableError as exc:
        # email-validator wraps "could not ask" errors in the same class as "the answer was no".
        if str(exc).startswith("There was an error while checking"):
            log.warning("DNS check of %s failed (%s); accepting on syntax", address, exc)
            return True
        return False
    except Exception as exc:  # no resolver configuration, no network: the documented fallback
        log.warning("DNS unreachable (%s); accepting the address on its syntax", exc)
        return True
    if getattr(info, "mx_fallback_type", None) is None and not getattr(info, "mx", None):
        log.warning("DNS gave no answer for %s; accepting on syntax", address)
    return True
