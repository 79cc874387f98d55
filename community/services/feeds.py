"""The discovery feed's hot score: engagement with time decay.

    hot = (likes + 2 x collects + 3 x comments + views / 10 + 1) / (age_hours + 2) ^ 1.5

Collects weigh more than likes (a reader meant to come back), comments most (a conversation). The decay
keeps the feed fresh: a note loses two thirds of its score in its first day. Scores are computed by the
database in one UPDATE from the counters on the row, so the formula lives in one place
(``_hot_expression``) for the initial score and for the periodic refresh.

Scores only ever fall with age, so the periodic task refreshes the notes young enough to matter
(``HOT_WINDOW``, plus a margin so a note leaving the window gets its final value). An older note keeps
the small score it had when it left: at eight days even a note with a thousand likes scores below a new
note with none.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db.models import DurationField, ExpressionWrapper, F, FloatField, Func, Value
from django.db.models.functions import Cast, Extract
from django.utils import timezone

from community.models import Note

logger = logging.getLogger(__name__)

HOT_WINDOW = timedelta(days=7)
HOT_WINDOW_MARGIN = timedelta(days=1)
GRAVITY = 1.5


def hot_score(*, likes: int, collects: int, comments: int, views: int, age_hours: float) -> float:
    """The formula in Python, for tests and explanations; the database uses ``_hot_expression``."""
    engagement = likes + 2 * collects + 3 * comments + views / 10
    return (engagement + 1) / (max(age_hours, 0.0) + 2) ** GRAVITY


def _hot_expression(now):
    age = ExpressionWrapper(Value(now) - F("created_at"), output_field=DurationField())
    age_hours = Func(
        Extract(age, "epoch") / Value(3600.0), Value(0.0), function="GREATEST", output_field=FloatField()
    )
    engagement = (
        Cast(F("like_count"), FloatField())
        + Value(2.0) * F("collect_count")
        + Value(3.0) * F("comment_count")
        + Cast(F("view_count"), FloatField()) / Value(10.0)
    )
    return ExpressionWrapper(
        (engagement + Value(1.0))
        / Func(age_hours + Value(2.0), Value(GRAVITY), function="POWER", output_field=FloatField()),
        output_field=FloatField(),
    )


def note_hot_score_initial(*, note_id: int) -> None:
    """Give a just-published note its score at once, so it shows in the feed before the next refresh.

    Call it in the transaction that creates the note (one UPDATE of that row).
    """
    Note.objects.filter(pk=note_id).update(hot_score=_hot_expression(timezone.now()))


def note_hot_scores_update(*, note_ids: Iterable[int] | None = None, now=None) -> int:
    """Recompute the scores of the notes young enough to move (or of ``note_ids``); returns how many."""
    now = now or timezone.now()
    qs = Note.objects.all()
    if note_ids is not None:
        qs = qs.filter(pk__in=list(note_ids))
    else:
        qs = qs.filter(created_at__gte=now - HOT_WINDOW - HOT_WINDOW_MARGIN)
    updated = qs.update(hot_score=_hot_expression(now))
    logger.info("hot scores refreshed for %d notes", updated)
    return updated
