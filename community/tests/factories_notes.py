"""Factories for the notes area: notes in every state, photos still being prepared."""

from __future__ import annotations

from community.models import Note, NoteImage
from community.tests.factories import NoteFactory, NoteImageFactory


def pending_image(note: Note, *, position: int, width: int = 600, height: int = 900) -> NoteImage:
    """A photo whose renditions are not made yet: only the original exists."""
    return NoteImageFactory(
        note=note,
        position=position,
        width=width,
        height=height,
        state=NoteImage.State.PENDING,
        feed="",
        detail="",
    )


def hidden_note(**kwargs) -> Note:
    return NoteFactory(status=Note.Status.HIDDEN, **kwargs)


def private_note(**kwargs) -> Note:
    return NoteFactory(visibility=Note.Visibility.PRIVATE, **kwargs)
