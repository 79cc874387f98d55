"""Community tasks: each is ``<service>_task``, takes ids and calls that one service, and is safe to run
twice because the service is (notifications are deduplicated by key, recomputes rewrite from the source
rows). Services enqueue them by name through core.tasks.enqueue_on_commit and never import this module.

Queues (``CELERY_TASK_ROUTES``): image renditions go to ``media``, notifications to ``notifications``, the
periodic recomputes (``CELERY_BEAT_SCHEDULE``) to ``default``.
"""

from __future__ import annotations

import logging

from celery import shared_task
from redis.exceptions import RedisError

from community.services.buzz import product_buzz_recompute
from community.services.counters import counters_recompute
from community.services.feeds import note_hot_score_initial, note_hot_scores_update
from community.services.images import image_renditions_make
from community.services.notifications import (
    notify_collect,
    notify_comment,
    notify_comment_like,
    notify_follow,
    notify_like,
    notify_note_hidden,
    notify_note_mentions,
    notify_notice,
    notify_order_event,
    notify_partnership,
    notify_refund,
    notify_return_approved,
)
from community.services.views_count import note_views_flush
from core.images import DecodeBusy

logger = logging.getLogger(__name__)


# --- notifications -----------------------------------------------------------------------------------------


@shared_task
def notify_like_task(like_id: int) -> None:
    notify_like(like_id=like_id)


@shared_task
def notify_collect_task(collect_id: int) -> None:
    notify_collect(collect_id=collect_id)


@shared_task
def notify_follow_task(follow_id: int) -> None:
    notify_follow(follow_id=follow_id)


@shared_task
def notify_comment_task(comment_id: int) -> None:
    notify_comment(comment_id=comment_id)


@shared_task
def notify_comment_like_task(comment_like_id: int) -> None:
    notify_comment_like(comment_like_id=comment_like_id)


@shared_task
def notify_note_mentions_task(note_id: int) -> None:
    notify_note_mentions(note_id=note_id)


# --- images ------------------------------------------------------------------------------------------------


@shared_task(autoretry_for=(OSError, DecodeBusy), retry_backoff=True, max_retries=5)
def image_renditions_make_task(image_id: int) -> None:
    image_renditions_make(image_id=image_id)


# --- feeds, counters and buzz (periodic, see CELERY_BEAT_SCHEDULE) -----------------------------------------


@shared_task(ignore_result=True)
def note_hot_scores_update_task() -> int:
    """Recompute the hot score of every note young enough to move (every 10 minutes)."""
    return note_hot_scores_update()


@shared_task(ignore_result=True)
def note_hot_score_initial_task(note_id: int) -> None:
    """The initial score of one note, for callers that prefer to do it after commit."""
    note_hot_score_initial(note_id=note_id)


@shared_task
def note_views_flush_task() -> int:
    """Add the views counted in Redis to the notes (every minute)."""
    try:
        return note_views_flush()
    except RedisError as exc:
        # The views wait in Redis (or are gone with it); the next run, a minute later, tries again.
        logger.warning("note views flush skipped, Redis unavailable: %s", exc)
        return 0


@shared_task
def counters_recompute_task() -> dict[str, int]:
    """Recount every denormalised counter from its source rows (hourly); reports rows fixed per counter."""
    return {label: drift.rows for label, drift in counters_recompute().items()}


@shared_task(ignore_result=True)
def product_buzz_recompute_task() -> int:
    """Rewrite the buzz table from the raw rows (hourly); running it twice gives the same table."""
    return product_buzz_recompute().products


@shared_task
def notify_order_event_task(order_event_id: int) -> int:
    return notify_order_event(order_event_id=order_event_id)


@shared_task
def notify_refund_task(refund_id: int) -> int:
    return notify_refund(refund_id=refund_id)


@shared_task
def notify_note_hidden_task(note_id: int, reason: str, hidden_at: str) -> int:
    return notify_note_hidden(note_id=note_id, reason=reason, hidden_at=hidden_at)


@shared_task
def notify_partnership_task(partnership_id: int) -> int:
    return notify_partnership(partnership_id=partnership_id)


@shared_task
def notify_notice_task(user_id: int, kind: str, params: dict, key: str) -> int:
    return notify_notice(user_id=user_id, kind=kind, params=params, key=key)


@shared_task
def notify_return_approved_task(order_id: int) -> int:
    return notify_return_approved(order_id=order_id)
