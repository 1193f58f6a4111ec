from django.db import models

from headlines.core.clients import MAX_ADDRESS

# Django's default user model: a username longer than this cannot belong to anyone.
USERNAME_MAX = 150
ADDRESS_MAX = MAX_ADDRESS  # what client_ip keeps of a forwarded address


class StaffLoginFailure(models.Model):
    """One staff sign-in that did not succeed, kept for the window of the sign-in limits.

    A row is written as the attempt starts, before its password is checked, and removed again
    if the password was right: guesses sent all at once, each taking the password hasher's
    time, are counted as they arrive rather than as they finish. In the database (not the
    cache) because the limits must hold across web processes and machines and restarts.
    """

    username = models.CharField(max_length=USERNAME_MAX)  # as Django's auth matches it (NFKC)
    address = models.CharField(max_length=ADDRESS_MAX, blank=True)  # "" when unknown
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "created_at"]),
            models.Index(fields=["address", "created_at"]),
        ]
        verbose_name = "failed staff sign-in"

    def __str__(self) -> str:
        return f"{self.username!r} from {self.address or 'an unknown address'}"
