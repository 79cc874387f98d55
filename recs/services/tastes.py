"""What a reader tells the feed: interests picked at sign-up, and "not interested"."""

from __future__ import annotations

from django.utils.translation import gettext as _

from community.models import Note, Topic
from core.errors import DomainError
from recs.models import ReaderPreference
from recs.services.signals import anonymous_hide, candidates_forget, interests_pick, preference_add

MAX_PICKS = 12

_KINDS = {
    "note": ReaderPreference.Kind.HIDE_NOTE,
    "topic": ReaderPreference.Kind.HIDE_TOPIC,
    "writer": ReaderPreference.Kind.HIDE_WRITER,
}


class NoTopic(DomainError):
    code = "no_topic"


def note_hide(*, user, reader: str, note: Note, what: str) -> int:
    """Hide ``note``, its main topic (its first by id) or its writer from the reader's feed, from the very
    next page on. A signed-in reader's choice is kept in PostgreSQL, an anonymous one's in Redis for
    a month. Returns the hidden target's id."""
    if what == "note":
        target = note.pk
    elif what == "writer":
        target = note.author_id
    else:
        target = note.topics.order_by("id").values_list("id", flat=True).first()
        if target is None:
            raise NoTopic(_("This note has no topic; hide the note instead."))
    if user is not None and user.is_authenticated:
        preference_add(user=user, kind=_KINDS[what], target_id=target)
    else:
        anonymous_hide(reader=reader, kind=what, target_id=target)
    candidates_forget(reader=reader)
    return target


def reader_interests_pick(*, user, reader: str, topic_ids: list[int]) -> int:
    """Keep the topics picked (unknown ids are a clear error, and nothing changes)."""
    unique = list(dict.fromkeys(topic_ids))
    if len(unique) > MAX_PICKS:
        raise DomainError(_("Pick at most %(n)d topics.") % {"n": MAX_PICKS})
    known = set(Topic.objects.filter(pk__in=unique).values_list("id", flat=True))
    if len(known) != len(unique):
        raise DomainError(_("Pick topics from the list."))
    kept = interests_pick(user=user, topic_ids=unique)
    candidates_forget(reader=reader)
    return kept
