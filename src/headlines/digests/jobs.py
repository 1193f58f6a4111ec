"""Background jobs of digests: the periodic assembly that opens each edition's review window."""

from __future__ import annotations

from headlines.core.jobs import job
from headlines.core.scheduler import every

ASSEMBLE_EVERY_SECONDS = 60


@job("digests.assemble_due", long=True)
def assemble_due() -> list[int]:
    from headlines.digests import services

    return services.digests_assemble_due()


every(ASSEMBLE_EVERY_SECONDS, "digests.assemble_due")
