"""The materialiser loop: turn admissions into orders as they arrive (docs/architecture.md, "Materialisation").

Runs beside the Celery worker (make run and docker-compose start it); the beat task
``flashsale.tasks.sales_drain_live_task`` is the safety net if it is down. Several may run: the consumer
group hands each entry to one of them, and a dead one's entries are reclaimed.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from flashsale.selectors.sales import published_sale_ids
from flashsale.services.materialize import sale_drain
from flashsale.services.redis import REDIS_ERRORS

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Materialise flash-sale admissions into orders continuously."

    def add_arguments(self, parser):
        parser.add_argument("--block-ms", type=int, default=100)
        parser.add_argument("--once", action="store_true", help="drain once and exit")

    def handle(self, *args, block_ms: int, once: bool, **options):
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        refreshed, live = 0.0, []
        while not stopping:
            if time.monotonic() - refreshed > 2:
                close_old_connections()
                live = published_sale_ids()
                refreshed = time.monotonic()
            if not live:
                if once:
                    return
                time.sleep(0.5)
                continue
            try:
                for sale_id in live:
                    sale_drain(sale_id=sale_id, block_ms=block_ms if len(live) == 1 else 10)
            except REDIS_ERRORS as exc:
                logger.warning("flash-sale consumer: Redis unreachable (%s); retrying", exc)
                time.sleep(0.5)
            if once:
                return
