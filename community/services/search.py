"""Keeping each note's full-text vector current.

The vector is built by PostgreSQL's ``to_tsvector('simple', ...)`` from text that ``core.segment``
has already cut into lexemes (jieba words plus Chinese bigrams, lower-cased, punctuation gone), so the
'simple' configuration only splits on the spaces we put in. Weights: title and topics A, location C,
body B; ``community.selectors.search.notes`` ranks with the same labels.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.postgres.search import SearchVector
from django.db import connection, transaction
from django.db.models import Value

from community.models import Note
from core import segment

# The SQL that turns pre-segmented texts into a note's vector; the benchmark's bulk loader uses it too.
VECTOR_SQL = (
    "setweight(to_tsvector('simple', {title}), 'A') || setweight(to_tsvector('simple', {topics}), 'A')"
    " || setweight(to_tsvector('simple', {body}), 'B') || setweight(to_tsvector('simple', {location}), 'C')"
)


def note_search_texts(*, title: str, body: str, location: str, topic_names: Iterable[str]) -> dict[str, str]:
    """The segmented texts of a note, one per weighted part (input of ``VECTOR_SQL``). Topics are taken
    in name order, so the same note always gets the same vector."""
    return {
        "title": segment.segment(title),
        "topics": segment.segment(" ".join(sorted(topic_names))),
        "body": segment.segment(body),
        "location": segment.segment(location),
    }


def _vector_expression(texts: dict[str, str]):
    return (
        SearchVector(Value(texts["title"]), weight="A", config="simple")
        + SearchVector(Value(texts["topics"]), weight="A", config="simple")
        + SearchVector(Value(texts["body"]), weight="B", config="simple")
        + SearchVector(Value(texts["location"]), weight="C", config="simple")
    )


def note_search_index(*, note_id: int) -> None:
    """Rebuild one note's vector from its current title, topics, body and location. Called inside the
    transaction that writes the note, so the vector never lags behind the text."""
    note = Note.objects.filter(pk=note_id).only("title", "body", "location").first()
    if note is None:
        return
    texts = note_search_texts(
        title=note.title,
        body=note.body,
        location=note.location,
        topic_names=note.topics.values_list("name", flat=True),
    )
    Note.objects.filter(pk=note_id).update(search_vector=_vector_expression(texts))


def notes_search_reindex(*, note_ids: Iterable[int] | None = None, batch_size: int = 500) -> int:
    """Rebuild the vectors of ``note_ids`` (all notes when None) in batches, one UPDATE per batch.
    For after a change of the segmenter or its dictionary; returns how many notes were indexed."""
    queryset = Note.objects.order_by("pk")
    if note_ids is not None:
        queryset = queryset.filter(pk__in=list(note_ids))
    done = 0
    last_id = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_id)
            .only("pk", "title", "body", "location")
            .prefetch_related("topics")[:batch_size]
        )
        if not batch:
            return done
        rows = []
        for note in batch:
            texts = note_search_texts(
                title=note.title,
                body=note.body,
                location=note.location,
                topic_names=[t.name for t in note.topics.all()],
            )
            rows.append((note.pk, texts["title"], texts["topics"], texts["body"], texts["location"]))
        vector = VECTOR_SQL.format(title="v.title", topics="v.topics", body="v.body", location="v.location")
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
        params = [value for row in rows for value in row]
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Note._meta.db_table} AS n SET search_vector = {vector} "  # noqa: S608 - constants
                f"FROM (VALUES {values}) AS v(id, title, topics, body, location) WHERE n.id = v.id::bigint",
                params,
            )
        done += len(batch)
        last_id = batch[-1].pk
