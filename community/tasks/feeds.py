"""Feed tasks: the periodic hot-score refresh (every 10 minutes, see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def hot_scores_update() -> int:
    """Recompute the hot score of every note young enough to move; safe to run twice."""
    from community.services.feeds import note_hot_scores_update

    return note_hot_scores_update()


@shared_task(ignore_result=True)
def hot_score_initial(note_id: int) -> None:
    """The initial score of one note, for callers that prefer to do it after commit."""
    from community.services.feeds import note_hot_score_initial

    note_hot_score_initial(note_id=note_id)
