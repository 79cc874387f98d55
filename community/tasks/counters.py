"""Periodic counter tasks: flush view counts from Redis (every minute), recompute counters (hourly)."""

from __future__ import annotations

import logging

from celery import shared_task
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@shared_task
def note_views_flush() -> int:
    from community.services.views_count import note_views_flush as flush

    try:
        return flush()
    except RedisError as exc:
        # The views wait in Redis (or are gone with it); the next run, a minute later, tries again.
        logger.warning("note views flush skipped, Redis unavailable: %s", exc)
        return 0


@shared_task
def counters_recompute() -> dict[str, int]:
    from community.services.counters import counters_recompute as recompute

    return {label: drift.rows for label, drift in recompute().items()}
