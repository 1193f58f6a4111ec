"""Keyed hashes for addresses and IPs: stable per installation, useless without the secret key."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def _key(purpose: str) -> bytes:
    return hashlib.sha256(f"headlines:{purpose}:{settings.SECRET_KEY}".encode()).digest()


def normalise_email(email: str) -> str:
    """Trim, and lower-case the domain (the local part is the mailbox owner's to define)."""
    local, _, domain = email.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else email.strip()


def email_hash(email: str) -> str:
    return hmac.new(
        _key("email"), normalise_email(email).lower().encode(), hashlib.sha256
    ).hexdigest()


def ip_hash(ip: str | None) -> str:
    if not ip:
        return ""
    return hmac.new(_key("ip"), ip.encode(), hashlib.sha256).hexdigest()
