"""A small community with structure for the feed's tests: writers of two topics, a reader."""

from __future__ import annotations

from accounts.tests.factories import UserFactory
from community.models import Note
from community.tests.factories import FeedNoteFactory


def notes_of(topic: str, count: int, *, authors=None, hot: float = 1.0, **fields) -> list[Note]:
    """``count`` public notes of ``topic``, each by its own writer unless ``authors`` are given."""
    notes = []
    for i in range(count):
        author = authors[i % len(authors)] if authors else UserFactory()
        notes.append(FeedNoteFactory(author=author, topics=[topic], hot_score=hot - i * 0.001, **fields))
    return notes


def page_ids(response) -> list[int]:
    """The note ids of the cards on a feed page, in order."""
    import re

    return [int(n) for n in re.findall(r'data-note-id="(\d+)"', response.content.decode())]
