"""Topic reads: suggestions while a writer types ``#…``."""

from __future__ import annotations

from django.db.models import QuerySet

from community.models import Topic

SUGGEST_LIMIT = 8


def topic_suggest(*, prefix: str, limit: int = SUGGEST_LIMIT) -> QuerySet[Topic]:
    """Topics whose name starts with ``prefix`` (any case), most used first; the most used of all for
    an empty prefix. One query."""
    prefix = (prefix or "").strip().lstrip("#").strip()[:40]
    qs = Topic.objects.only("id", "name", "note_count")
    if prefix:
        qs = qs.filter(name__istartswith=prefix)
    return qs.order_by("-note_count", "id")[: max(1, min(limit, 20))]
