"""DKIM signing (RFC 6376, RFC 8463): of digests as the delivery engine assembles them, and of
transactional mail (confirmations, welcomes) as it is sent (`sign_message`).

dkimpy re-parses and re-canonicalises every message in Python; at 1,500 messages a second that
is most of the budget. Our messages are built from known parts, so we canonicalise each header
as we write it (relaxed) and hash the body as written (simple), then sign with OpenSSL
(`cryptography`). dkimpy verifies what we produce in the tests, and renders the DNS record.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headlines.core import clock
from headlines.core.errors import InvalidInput

_WSP = re.compile(r"[ \t]+")


def relaxed_header(name: str, value: str) -> bytes:
    """RFC 6376 3.4.2: lower-case name, unfolded value, runs of blanks as one space."""
    unfolded = value.replace("\r\n", "").replace("\n", "")
    return f"{name.strip().lower()}:{_WSP.sub(' ', unfolded).strip()}\r\n".encode()


def body_hash(body: bytes) -> str:
    """The bh= of a body under simple canonicalisation (trailing empty lines dropped)."""
    stripped = body.rstrip(b"\r\n") + b"\r\n" if body.strip(b"\r\n") else b"\r\n"
    return base64.b64encode(hashlib.sha256(stripped).digest()).decode()


FOLD = "\r\n\t"
SIGNATURE_LINE = 76  # base64 characters of b= a line


@dataclass(frozen=True)
class DKIMKey:
    selector: str
    domain: str
    algorithm: str  # "rsa-sha256" | "ed25519-sha256"
    key: Any

    def sign_bytes(self, data: bytes) -> bytes:
        if self.algorithm == "ed25519-sha256":
            # RFC 8463: Ed25519 signs the SHA-256 digest of the canonicalised data.
            return bytes(self.key.sign(hashlib.sha256(data).digest()))
        # cryptography loads OpenSSL's bindings (0.05 s): only a process that signs pays for it.
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        return bytes(self.key.sign(data, padding.PKCS1v15(), hashes.SHA256()))

    def dns_record(self) -> str:
        """The TXT record to publish at `<selector>._domainkey.<domain>`."""
        from cryptography.hazmat.primitives import serialization

        public = self.key.public_key()
        if self.algorithm == "ed25519-sha256":
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            return f"v=DKIM1; k=ed25519; p={base64.b64encode(raw).decode()}"
        der = public.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def load_key(*, selector: str, domain: str, pem: bytes) -> DKIMKey:
    refuse = {"\r", "\n", ";", " "}
    if not selector or any(ch in refuse for ch in selector + domain):
        raise InvalidInput("DKIM selector and domain must be single words", field="dkim")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"DKIM key is not a PEM private key: {exc}", field="dkim") from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return DKIMKey(selector, domain, "ed25519-sha256", key)
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 1024:
            raise InvalidInput("DKIM RSA keys must be at least 1024 bits", field="dkim")
        return DKIMKey(selector, domain, "rsa-sha256", key)
    raise InvalidInput("DKIM keys must be RSA or Ed25519", field="dkim")


def load_key_file(*, selector: str, domain: str, path: Path) -> DKIMKey:
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"cannot read the DKIM key file {path}: {exc}", field="dkim") from None
    return load_key(selector=selector, domain=domain, pem=pem)


def configured_key(*, domain: str) -> DKIMKey | None:
    """The key of HEADLINES_DKIM_SELECTOR and HEADLINES_DKIM_KEY_FILE for a From domain (None:
    signing is off). Read once a process per selector, domain and file: reading and parsing
    the PEM costs more than signing."""
    from django.conf import settings

    selector = settings.CONFIG["HEADLINES_DKIM_SELECTOR"]
    path = settings.CONFIG["HEADLINES_DKIM_KEY_FILE"]
    if not selector or not path:
        return None
    return _loaded_key(selector, domain, Path(path))


@functools.lru_cache(maxsize=32)
def _loaded_key(selector: str, domain: str, path: Path) -> DKIMKey:
    return load_key_file(selector=selector, domain=domain, path=path)


# The headers a reader sees or a mail program acts on, signed once more than they occur (RFC
# 6376 8.15, "oversigning"): a verifier takes a name's instances from the bottom up, and one
# listed in h= with no instance left signs its absence. Signed only as often as they occurred,
# a relay could add a second From, Subject or List-Unsubscribe above ours (or a Reply-To the
# message never had), which a mail reader may show, and the signature still verified.
# Feedback-ID is signed but not oversigned: some relays (Amazon SES) add their own.
OVERSIGNED = (
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "subject",
    "date",
    "message-id",
    "list-id",
    "list-unsubscribe",
    "list-unsubscribe-post",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
)
_OVERSIGNED_TAIL = ":" + ":".join(OVERSIGNED)


def signature_header(
    key: DKIMKey,
    *,
    headers: Sequence[tuple[str, bytes]],
    body: bytes,
    timestamp: int | None = None,
) -> str:
    """The DKIM-Signature header (without its last CRLF) for pre-canonicalised `headers`.

    `headers` pairs each header name with its `relaxed_header()` form, in message order.
    h= lists them and then each of OVERSIGNED once more, which adds nothing to the signed
    bytes: a header of those names added later breaks the signature.
    The header is folded between tags and inside b= (RFC 6376 3.5 allows both; relaxed
    canonicalisation unfolds them): on one line, an RSA-4096 signature over a long domain
    passed RFC 5322's 998 octets, which receivers refuse or relays break.
    """
    names = ":".join(name.lower() for name, _ in headers) + _OVERSIGNED_TAIL
    stamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    value = (
        f"v=1; a={key.algorithm}; c=relaxed/simple; d={key.domain}; s={key.selector};{FOLD}"
        f"t={stamp}; h={names};{FOLD}bh={body_hash(body)};{FOLD}b="
    )
    signed = b"".join(c for _, c in headers) + relaxed_header("DKIM-Signature", value)[:-2]
    signature = base64.b64encode(key.sign_bytes(signed)).decode()
    lines = [signature[n : n + SIGNATURE_LINE] for n in range(0, len(signature), SIGNATURE_LINE)]
    return f"DKIM-Signature: {value}{FOLD.join(lines)}"


# The headers a transactional message is signed over, when present: the digests' list, less
# the per-reader ones transactional mail does not carry.
SIGNED_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "Reply-To",
    "List-Id",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Feedback-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)


def sign_message(raw: bytes, key: DKIMKey) -> bytes:
    """`raw` (CRLF line ends, as SMTP carries it) with a DKIM-Signature header in front.

    Confirmations and welcomes went out unsigned while every digest was signed: under the
    DMARC policy the operations guide leads to, the double opt-in's own email was the one a
    receiver could quarantine."""
    head, _, body = raw.partition(b"\r\n\r\n")
    fields: list[tuple[str, str]] = []
    for line in head.decode("utf-8", "surrogateescape").split("\r\n"):
        if line[:1] in (" ", "\t") and fields:  # a folded continuation
            name, value = fields[-1]
            fields[-1] = (name, f"{value}\r\n{line}")
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip(), value))
    wanted = {name.lower() for name in SIGNED_HEADERS}
    chosen: list[tuple[str, bytes]] = []
    # A verifier takes a name's instances from the bottom up, so a repeated one is listed so.
    for name in dict.fromkeys(n for n, _ in fields if n.lower() in wanted):
        same = [(n, v) for n, v in fields if n.lower() == name.lower()]
        chosen += [(n, relaxed_header(n, v)) for n, v in reversed(same)]
    return signature_header(key, headers=chosen, body=body).encode() + b"\r\n" + raw
