"""The interest picker's offer and a reader's picks."""

from __future__ import annotations

from community.models import Topic
from recs.models import ReaderPreference

OFFERED = 24


def interests_offered() -> list[Topic]:
    """The topics with the most notes, to pick from."""
    return list(Topic.objects.order_by("-note_count", "name")[:OFFERED])


def interests_picked(*, user) -> list[int]:
    return list(
        ReaderPreference.objects.filter(user=user, kind=ReaderPreference.Kind.PICK_TOPIC).values_list(
            "target_id", flat=True
        )
    )
