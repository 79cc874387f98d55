"""Notes that are in the search index: the shared NoteFactory writes rows directly, so the vector that
``note_create`` would build is built here the same way."""

from __future__ import annotations

from community.models import Topic
from community.services.search import note_search_index
from community.tests.factories import NoteFactory


def indexed_note(*, topics: tuple[str, ...] = (), images: int = 0, **fields):
    """A note (published and public unless ``fields`` say otherwise) with its search vector built."""
    note = NoteFactory(images=images, **fields)
    if topics:
        names = list(topics)
        Topic.objects.bulk_create([Topic(name=n) for n in names], ignore_conflicts=True)
        note.topics.set(Topic.objects.filter(name__in=names))
    note_search_index(note_id=note.pk)
    note.refresh_from_db()
    return note
