"""Who sent a request: the client's address, as the configured reverse proxies saw it.

One rule for every door that counts or records an address (the sign-up limits and the consent
ledger, the reader pages, the opens and clicks, the staff sign-in limit). `headlines run`'s
waitress is told the same number of proxies (`core.webserver`).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

MAX_ADDRESS = 64  # longer than any IPv6 address written out; the rest is a client's invention


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP: the connection's, or as the configured number of proxies saw it."""
    proxies = int(settings.CONFIG["HEADLINES_TRUSTED_PROXIES"])
    if proxies > 0:
        # Only the rightmost N entries were written by our proxies; the rest is client-supplied.
        chain = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        chain = [p for p in chain if p]
        if len(chain) >= proxies:
            return chain[-proxies][:MAX_ADDRESS]
    return request.META.get("REMOTE_ADDR") or None
