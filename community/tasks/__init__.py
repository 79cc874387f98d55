"""Celery tasks of the community app, one module per area; thin: take ids, call one service, idempotent.

Importing the package registers every task (Celery's autodiscovery imports ``community.tasks``).
"""

from community.tasks.analytics import product_buzz_recompute
from community.tasks.counters import counters_recompute, note_views_flush
from community.tasks.feeds import hot_score_initial, hot_scores_update
from community.tasks.images import image_renditions_make
from community.tasks.notifications import (
    notification_collect,
    notification_comment,
    notification_comment_like,
    notification_follow,
    notification_like,
    notification_note_mentions,
)

__all__ = [
    "product_buzz_recompute",
    "counters_recompute",
    "note_views_flush",
    "hot_score_initial",
    "hot_scores_update",
    "image_renditions_make",
    "notification_collect",
    "notification_comment",
    "notification_comment_like",
    "notification_follow",
    "notification_like",
    "notification_note_mentions",
]
