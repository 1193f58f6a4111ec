"""The digest email, assembled once per digest and finished per reader by substitution.

`DigestTemplate` encodes the digest's text and HTML once (quoted-printable, split at the
per-reader placeholders) and pre-canonicalises the headers every reader shares. `render()` then
joins bytes: the reader's links, To, Message-ID, List-Unsubscribe, the VERP envelope sender and,
when a key is configured, a DKIM signature. No MIME library and no template engine per message.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
from email.utils import formatdate, parseaddr

from django.conf import settings

from headlines.core import clock, dkim
from headlines.core.dkim import DKIMKey, relaxed_header, signature_header
from headlines.core.mail import (
    encoded_address,
    encoded_words,
    format_address,
    refuse_line_breaks,
    sender_address,
)
from headlines.core.untrusted import mac_matches, plain_id
from headlines.delivery.channels import Outgoing
from headlines.digests.models import (
    OPEN_PLACEHOLDER,
    PREFERENCES_PLACEHOLDER,
    READER_PLACEHOLDER,
    UNSUBSCRIBE_PLACEHOLDER,
    Digest,
)
from headlines.engagement.readers import ReaderTracking
from headlines.subscriptions.audience import Recipient

UNSUBSCRIBE, PREFERENCES, READER, OPEN = 0, 1, 2, 3
_SLOTS = {
    UNSUBSCRIBE_PLACEHOLDER: UNSUBSCRIBE,
    PREFERENCES_PLACEHOLDER: PREFERENCES,
    READER_PLACEHOLDER: READER,
    OPEN_PLACEHOLDER: OPEN,
}


def _sign(text: str, length: int = 12) -> str:
    key = f"headlines:delivery:{settings.SECRET_KEY}".encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:length]


def verp_address(*, digest_id: int, subscription_id: int, domain: str) -> str:
    """bounce+<digest>.<subscription>.<mac>@domain: a bounce names the delivery it is about."""
    ref = f"{digest_id}.{subscription_id}"
    return f"bounce+{ref}.{_sign(ref)}@{domain}"


# The digest id in the VERP address of a sign-up email (confirmation, welcome): no digest has it.
NO_DIGEST = 0
# The subscription id of an editor's test to someone who reads no edition: no reader has it.
NO_SUBSCRIPTION = 0


def transactional_envelope(*, subscription_id: int, from_address: str) -> str:
    """The envelope sender of a sign-up email to one reader: their VERP address, as a digest's.
    The From address was used, so the bounce of a confirmation to a mistyped address went to
    the desk's mailbox, unread, and the address was never suppressed."""
    domain = settings.CONFIG["HEADLINES_BOUNCE_DOMAIN"] or from_address.rpartition("@")[2]
    return verp_address(
        digest_id=NO_DIGEST, subscription_id=subscription_id, domain=domain or "localhost"
    )


def read_verp(address: str) -> tuple[int, int] | None:
    """(digest_id, subscription_id) from a VERP address we made, or None (forged, foreign)."""
    local = parseaddr(address)[1].partition("@")[0]
    if not local.startswith("bounce+"):
        return None
    parts = local[len("bounce+") :].split(".")
    if len(parts) != 3 or not all(plain_id(p) for p in parts[:2]):
        return None
    ref = f"{parts[0]}.{parts[1]}"
    if not mac_matches(parts[2], _sign(ref)):
        return None
    return int(parts[0]), int(parts[1])


def unsubscribe_mailto(*, subscription_id: int, domain: str) -> str:
    ref = str(subscription_id)
    return f"mailto:unsubscribe+{ref}.{_sign('u' + ref)}@{domain}?subject=unsubscribe"


def read_unsubscribe_address(address: str) -> int | None:
    local = parseaddr(address)[1].partition("@")[0]
    if not local.startswith("unsubscribe+"):
        return None
    ref, _, mac = local[len("unsubscribe+") :].partition(".")
    if not plain_id(ref) or not mac_matches(mac, _sign("u" + ref)):
        return None
    return int(ref)


def message_id_parts(*, digest_id: int, domain: str) -> tuple[str, str]:
    """A delivery's Message-ID is prefix + subscription id + suffix (the ledger builds it in
    SQL). Stable per delivery, so a retried message is recognisably the same message; the
    keyed tag keeps two installations' ids apart."""
    return f"<headlines.{digest_id}.", f".{_sign(f'm{digest_id}', 10)}@{domain}>"


def message_id(*, digest_id: int, subscription_id: int, domain: str) -> str:
    prefix, suffix = message_id_parts(digest_id=digest_id, domain=domain)
    return f"{prefix}{subscription_id}{suffix}"


def _qp(text: str) -> bytes:
    encoded = binascii.b2a_qp(text.encode("utf-8"), istext=True)
    return encoded.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _split(template: str) -> list[bytes | int]:
    """Encoded pieces and slot numbers. Each slot sits between soft line breaks, so a URL of
    any length is encoded on its own lines and the pieces around it are encoded only once."""
    pieces: list[bytes | int] = []
    rest = template.replace("\r\n", "\n")
    while rest:
        found = [(rest.find(p), p) for p in _SLOTS if p in rest]
        if not found:
            pieces.append(_qp(rest))
            break
        at, placeholder = min(found)
        if at:
            pieces.append(_qp(rest[:at]) + b"=\r\n")
        pieces.append(_SLOTS[placeholder])
        rest = rest[at + len(placeholder) :]
    return pieces


def _encode_header(name: str, value: str) -> str:
    """`value` as it goes on the wire: ASCII as written; otherwise RFC 2047 encoded words of
    at most 75 characters on folded lines. A raw UTF-8 header (an edition named in Chinese or
    with an emoji) is not valid without SMTPUTF8, and one encoded word of 200 characters broke
    RFC 2047's limit."""
    refuse_line_breaks(value, field_name=name)
    return value if value.isascii() else encoded_words(value)


def _from_parts(display_name: str, address: str) -> tuple[str, str]:
    format_address(display_name, address)  # refuses line breaks in either
    return display_name, address


class DigestTemplate:
    """Everything about one digest's email that does not depend on the reader."""

    def __init__(
        self,
        digest: Digest,
        *,
        dkim: DKIMKey | None = None,
        body: tuple[str, str, str] | None = None,
        tracking: ReaderTracking | None = None,
    ) -> None:
        """`body` is a segment's (subject, html, text); the whole digest's by default.
        `tracking`: the digest's per-reader parts, when another template of it has read them."""
        edition = digest.edition
        subject, html, text = (
            body if body is not None else (digest.subject or str(digest), digest.html, digest.text)
        )
        self.digest_id = digest.pk
        from_address = sender_address(edition)
        self.domain = from_address.rpartition("@")[2] or "localhost"
        self.bounce_domain = settings.CONFIG["HEADLINES_BOUNCE_DOMAIN"] or self.domain
        self.dkim = dkim
        list_id = refuse_line_breaks(
            edition.list_id or f"{edition.slug}.{self.domain}", field_name="List-Id"
        )
        boundary = f"=_headlines_{digest.pk}_{_sign('b' + str(digest.pk), 16)}"
        self.head = [
            (
                "From",
                encoded_address(*_from_parts(edition.from_name or edition.name, from_address)),
            ),
            ("Reply-To", edition.reply_to or from_address),
            ("Subject", _encode_header("Subject", subject)),
            ("List-Id", f"{_encode_header('List-Id', edition.name)} <{list_id}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
            ("Feedback-ID", f"{digest.pk}:{edition.slug}:digest:headlines"),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        self.head_canonical = [(name, relaxed_header(name, value)) for name, value in self.head]
        self.head_bytes = b"".join(f"{n}: {v}\r\n".encode() for n, v in self.head)
        part = '--{b}\r\nContent-Type: text/{t}; charset="utf-8"\r\n'
        part += "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        self.body: list[bytes | int] = [
            part.format(b=boundary, t="plain").encode(),
            *_split(text),
            ("\r\n" + part.format(b=boundary, t="html")).encode(),
            *_split(html),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
        self._date = ("", 0)
        # Empty unless the edition and each of these readers said yes to per-reader counting.
        self.tracking = tracking if tracking is not None else ReaderTracking.for_digest(digest)

    @classmethod
    def for_digest(cls, digest: Digest) -> DigestTemplate:
        return cls(digest, dkim=configured_key(digest))

    def date(self) -> str:
        now = int(clock.now().timestamp())
        if self._date[1] != now:  # formatting a date costs more than a whole substitution
            self._date = (formatdate(now, usegmt=True), now)
        return self._date[0]

    def render(self, reader: Recipient, *, own_id: str = "") -> Outgoing:
        """The reader's message: the shared parts joined with their links and headers. The
        editor's test send goes through here too, so it is what a reader gets. `own_id`, when
        given, is the Message-ID in place of the delivery's (a test's). A reader of
        NO_SUBSCRIPTION (a test to someone who reads no edition) gets no List-Unsubscribe."""
        email, subscription_id = reader.email, reader.subscription_id
        refuse_line_breaks(email, field_name="To")
        unsubscribe, preferences = reader.unsubscribe_url, reader.preferences_url
        tag, pixel = self.tracking.parts(subscription_id)
        links = (
            _qp(unsubscribe) + b"=\r\n",
            _qp(preferences) + b"=\r\n",
            _qp(tag) + b"=\r\n" if tag else b"",
            _qp(pixel) + b"=\r\n" if pixel else b"",
        )
        body = b"".join(links[p] if isinstance(p, int) else p for p in self.body)
        mid = own_id or message_id(
            digest_id=self.digest_id, subscription_id=subscription_id, domain=self.domain
        )
        own = [("To", email), ("Date", self.date()), ("Message-ID", mid)]
        head_bytes, head_canonical = self.head_bytes, self.head_canonical
        if subscription_id == NO_SUBSCRIPTION:
            head_bytes, head_canonical = self._without_unsubscribe()
        else:
            mailto = unsubscribe_mailto(subscription_id=subscription_id, domain=self.bounce_domain)
            own.append(("List-Unsubscribe", f"<{unsubscribe}>, <{mailto}>"))
        own_bytes = b"".join(f"{n}: {v}\r\n".encode() for n, v in own)
        signature = b""
        if self.dkim is not None:
            canonical = [*head_canonical, *((n, relaxed_header(n, v)) for n, v in own)]
            signature = signature_header(self.dkim, headers=canonical, body=body).encode() + b"\r\n"
        raw = signature + head_bytes + own_bytes + b"\r\n" + body
        envelope = verp_address(
            digest_id=self.digest_id, subscription_id=subscription_id, domain=self.bounce_domain
        )
        return Outgoing(envelope, email, raw, mid)

    def _without_unsubscribe(self) -> tuple[bytes, list[tuple[str, bytes]]]:
        """The shared head less List-Unsubscribe-Post, for a test to someone who reads no
        edition: there is nothing to unsubscribe them from. With the web page's link as its
        List-Unsubscribe, a mail program's Unsubscribe button posted to a page that refuses a
        POST, and its mailto named "subscription 0" to the bounce endpoint."""
        kept = [(n, v) for n, v in self.head if n != "List-Unsubscribe-Post"]
        canonical = [(n, c) for n, c in self.head_canonical if n != "List-Unsubscribe-Post"]
        return b"".join(f"{n}: {v}\r\n".encode() for n, v in kept), canonical


def configured_key(digest: Digest) -> DKIMKey | None:
    """The key from HEADLINES_DKIM_SELECTOR/KEY_FILE for the edition's From domain, if set."""
    return dkim.configured_key(domain=sender_address(digest.edition).rpartition("@")[2])
