"""Signals core sends to the apps above it, which core never imports (tests/test_layout.py).

`edition_timing_changed`: staff changed an edition's time zone or send time. Sent with
`edition_id` and `now`; a receiver returns how many waiting deliveries it moved (delivery's,
connected in `DeliveryConfig.ready`, moves them to the readers' new evening).
"""

from __future__ import annotations

from django.dispatch import Signal

edition_timing_changed = Signal()
