"""A fixed-window budget in Redis (through the cache): ``rate_spend`` takes one from ``limit`` per ``window``
seconds under ``key`` and says whether there was one left. A brake on abuse fails open: with Redis down, the
request goes through (and a warning is logged) rather than answering 500."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def rate_spend(*, key: str, limit: int, window: int) -> bool:
    bucket = f"rl:{key}:{int(time.time()) // window}"
    try:
        cache.add(bucket, 0, timeout=window)
        spent = cache.incr(bucket)
    except (ConnectionInterrupted, RedisError, ValueError):
        logger.warning("rate limit %s skipped: the cache is unreachable", key.split(":", 1)[0])
        return True
    return spent <= limit
