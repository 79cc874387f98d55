"""Related notes ("more like this") at the end of a note page, and in the API.

Item-to-item first: the notes most co-engaged with this one (the trained model's neighbours). A note too
new to have neighbours, or with too few, is filled from its content: public notes sharing its topics,
then sharing the words of its title (jieba-segmented, matched on the search vector), hottest first.
Queries: the note's content candidates (one), the cards (one), the viewer's likes and collects (one).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery
from django.db.models import Q

from community.models import Note
from community.selectors.feeds import NotePage, note_page_with_state
from community.selectors.notes import note_public_qs
from core.keyset import Page
from core.segment import lexeme, segment
from recs.services.training import model_current

RELATED_SIZE = 8


def _title_query(title: str) -> SearchQuery | None:
    words = [w for w in segment(title).split() if len(w) >= 2][:6]
    if not words:
        return None
    return SearchQuery(" | ".join(lexeme(w) for w in words), search_type="raw", config="simple")


def related_notes(*, note: Note, viewer, size: int = RELATED_SIZE) -> NotePage:
    model = model_current()
    neighbours = [n for n, _s in model.neighbours(note.pk)] if model is not None else []
    ids: list[int] = neighbours[: size * 2]
    content = Q(topics__in=Note.topics.through.objects.filter(note_id=note.pk).values("topic_id"))
    query = _title_query(note.title)
    if query is not None:
        content |= Q(search_vector=query)
    fill = (
        Note.objects.filter(content, status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC)
        .exclude(pk=note.pk)
        .order_by("-hot_score", "-id")
        .values_list("id", flat=True)
        .distinct()[: size * 2]
    )
    for note_id in fill:
        if note_id not in ids:
            ids.append(note_id)
    found = {n.pk: n for n in note_public_qs().filter(pk__in=ids).exclude(pk=note.pk)} if ids else {}
    notes = [found[n] for n in ids if n in found][:size]
    return note_page_with_state(Page(items=notes), viewer=viewer)
