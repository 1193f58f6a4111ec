"""Background jobs of intake: the periodic ingest, and ingesting one source on demand."""

from __future__ import annotations

import logging

from headlines.core.jobs import job
from headlines.core.scheduler import every

log = logging.getLogger(__name__)

# The tick only asks which sources are due; each source's own interval decides the fetching.
INGEST_DUE_EVERY_SECONDS = 60


@job("intake.ingest_due", long=True)
def ingest_due() -> int:
    from headlines.intake import services
    from headlines.stories import services as stories_services

    reports = services.ingest_due()
    for report in reports:
        if report.error:  # the source itself could not be read: an operator's matter
            log.warning("ingest of %s failed: %s (%d new)", report.source, report.error, report.new)
        else:
            log.info(
                "ingested %s: %d new, %d copies, %d duplicates, %d failed",
                report.source,
                report.new,
                report.copies,
                report.duplicates,
                len(report.failed),
            )
        if report.held_back:
            log.info("ingest of %s: %s", report.source, report.held_back_note)
        if report.new:
            # Headlines without text: their title vectors now, not in the evening's build.
            stories_services.title_vectors_fill(source_slug=report.source)
    return len(reports)


@job("intake.ingest_source", long=True)
def ingest_source(source_id: int) -> None:
    from headlines.intake import services

    services.source_ingest(source_id=source_id)


every(INGEST_DUE_EVERY_SECONDS, "intake.ingest_due")
