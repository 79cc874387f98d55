"""Keeping each note's full-text vector current: segmented title and topics (weight A), body (B)."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVector
from django.db.models import Value

from community import segment
from community.models import Note


def note_search_index(*, note_id: int) -> None:
    note = Note.objects.only("title", "body").get(pk=note_id)
    topic_names = " ".join(note.topics.values_list("name", flat=True))
    Note.objects.filter(pk=note_id).update(
        search_vector=(
            SearchVector(Value(segment.segment(note.title)), weight="A", config="simple")
            + SearchVector(Value(segment.segment(topic_names)), weight="A", config="simple")
            + SearchVector(Value(segment.segment(note.body)), weight="B", config="simple")
        )
    )
