"""Keyed hashes for addresses and IPs: stable per installation, useless without the secret key."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"headlines:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def normalise_email(email: str) -> str:
    """Trim, and lower-case the domain (the local part is the mailbox owner's to define); an
    international domain in its ASCII (IDNA) form, as sign-up stores it, so `ann@bücher.example`
    as a reader types it is the `ann@xn--bcher-kva.example` stored (the API and the admin's
    search answered "no subscriber" for it)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{_ascii_domain(domain).lower()}" if local else email.strip()


def _ascii_domain(domain: str) -> str:
    """`domain` as email-validator writes it in ASCII (what sign-up stores), or as it is when it
    is ASCII already or no domain at all."""
    if domain.isascii():
        return domain
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(f"x@{domain}", check_deliverability=False).ascii_domain
    except EmailNotValidError:
        return domain


def email_hash(email: str) -> str:
    return hmac.new(
        _key("email"), normalise_email(email).lower().encode(), hashlib.sha256
    ).hexdigest()


def ip_hash(ip: str | None) -> str:
    if not ip:
        return ""
    return hmac.new(_key("ip"), ip.encode(), hashlib.sha256).hexdigest()


# Anything shaped like an address: a relay's reply ("550 5.1.1 <ann@example.org>: Recipient
# address rejected") names the reader as often as not.
_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]]+@[^\s<>\"'(),;:\[\]]+")
ADDRESS_REDACTED = "(address)"


def without_addresses(text: str) -> str:
    """`text` with every email address in it replaced by "(address)": for what is kept
    beside a keyed hash (a suppression's or bounce's detail, a log line), which must not
    name the reader the hash stands for, and still would after the reader's erasure."""
    return _ADDRESS.sub(ADDRESS_REDACTED, text)
