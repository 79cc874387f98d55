"""The personal feed's periodic tasks (``CELERY_BEAT_SCHEDULE``), each calling one service."""

from __future__ import annotations

from celery import shared_task

from recs.services.refresh import candidates_refresh, explore_window_prune
from recs.services.signals import impressions_flush
from recs.services.training import model_train


@shared_task
def impressions_flush_task() -> int:
    return impressions_flush()


@shared_task
def model_train_task() -> dict:
    return model_train()


@shared_task
def candidates_refresh_task() -> int:
    return candidates_refresh()


@shared_task
def explore_window_prune_task() -> int:
    return explore_window_prune()
