from __future__ import annotations

from django.db import models

from headlines.core.fields import ClockDateTimeField


class Click(models.Model):
    """One opening of a digest link, about a story and a digest, never a reader.

    `client_hash` (a keyed hash of the address) exists only to spot link scanners, which open
    every link of a digest within seconds; it is blanked once the scanner window has passed.
    """

    digest = models.ForeignKey("digests.Digest", on_delete=models.CASCADE, related_name="clicks")
    item = models.ForeignKey("digests.DigestItem", on_delete=models.CASCADE, related_name="clicks")
    at = ClockDateTimeField(auto_now_add=True, db_index=True)
    client_hash = models.CharField(max_length=64, blank=True)
    counted = models.BooleanField(
        default=True, help_text="False: part of a link scanner's burst, left out of the figures."
    )

    class Meta:
        indexes = [
            models.Index(fields=["digest", "client_hash", "at"]),
            # Few rows have a hash at any time: forgetting them scans only those.
            models.Index(fields=["client_hash", "at"], name="click_hash_age"),
        ]

    def __str__(self) -> str:
        return f"click on {self.item_id} at {self.at:%Y-%m-%d %H:%M:%S}"
