"""Keeping the readers' candidate lists fresh in the background, and the exploration tallies small."""

from __future__ import annotations

import logging
import time

from django.utils import timezone
from redis.exceptions import RedisError

from accounts.models import User
from community.models import Note
from recs import keys
from recs import redis as recs_redis
from recs.selectors.candidates import EXPLORE_WINDOW, candidates_build, candidates_store, switch_read
from recs.services.signals import explore_prune

logger = logging.getLogger(__name__)

ACTIVE_SECONDS = 3600
REFRESH_MAX = 500


def candidates_refresh(*, limit: int = REFRESH_MAX) -> int:
    """Rebuild the lists of readers signed in and active in the last hour (anonymous readers' lists
    are rebuilt on their next page). Returns how many were rebuilt."""
    client = recs_redis.client()
    if client is None:
        return 0
    try:
        client.zremrangebyscore(keys.active_readers(), 0, time.time() - ACTIVE_SECONDS)
        readers = [r.decode() for r in client.zrevrange(keys.active_readers(), 0, limit - 1)]
    except RedisError as exc:
        recs_redis.failed(exc, "refresh")
        return 0
    user_ids = {int(r[2:]): r for r in readers if r.startswith("u:") and r[2:].isdigit()}
    _plain, budget, _marker = switch_read()
    done = 0
    for user in User.objects.filter(pk__in=user_ids, is_active=True):
        reader = user_ids[user.pk]
        candidates_store(
            reader=reader,
            built=candidates_build(viewer=user, reader=reader, client=client, budget=budget),
            client=client,
        )
        done += 1
    logger.info("recs: %d candidate lists refreshed", done)
    return done


def explore_window_prune() -> int:
    live = set(
        Note.objects.filter(created_at__gte=timezone.now() - EXPLORE_WINDOW).values_list("id", flat=True)
    )
    return explore_prune(live_note_ids=live)
