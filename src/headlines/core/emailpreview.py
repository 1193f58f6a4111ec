"""An email shown inside the staff admin (the outbox, the digest review): whole and unscaled.

The HTML sits in a sandboxed frame: no script in it runs, its forms and links cannot act, and
its styles cannot reach the admin. `allow-same-origin` (without `allow-scripts`) lets the
admin's own email-frame.js read the frame's height and grow the frame to it, so the editor sees
the whole email at the width a reader's mail client gives it instead of a 600 px slot with a
scrollbar.
"""

from __future__ import annotations

from django.utils.html import format_html
from django.utils.safestring import SafeString

DESKTOP = 680  # the emails' 600 px sheet with its margins, as a desktop mail client shows it
PHONE = 375
MEDIA_JS = ("headlines/admin/email-frame.js",)


def email_frame(html: str, *, width: int = DESKTOP, label: str = "") -> SafeString:
    """One frame `width` px wide (height fitted by email-frame.js), captioned `label`."""
    caption = label or f"{width} px"
    return format_html(
        '<figure class="email-preview" style="margin:0 16px 16px 0;display:inline-block;'
        'vertical-align:top;max-width:100%">'
        '<figcaption style="margin:0 0 4px">{}</figcaption>'
        '<iframe class="email-frame" sandbox="allow-same-origin" srcdoc="{}" title="{}" '
        'style="display:block;width:{}px;max-width:none;height:720px;border:1px solid #ccc;'
        'background:#fff"></iframe></figure>',
        caption,
        html,
        f"Email preview, {caption}",
        width,
    )
