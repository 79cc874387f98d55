"""Recompute the denormalised counters from the rows they count, fix the ones that drifted, log the drift.

Services move counters with F() in the transaction of the row they count, so drift should be rare: a
bug, a hand edit, a cascade that bypassed the service (deleting a note drops its collects without
touching the boards' ``note_count``). This is the safety net, run hourly.

Each counter is checked in batches of rows, keyset on id. A batch is locked first (``FOR UPDATE SKIP
LOCKED``), then counted and fixed by one UPDATE in a new statement, so its count sees every action that
committed before the lock, and an action still in flight updates the counter after us, from the fixed
value. Rows locked by an action right now are skipped until the next run; since this never waits for a
lock, it can't deadlock with the services.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Model

from community.models import Board, Collect, Comment, CommentLike, Like, Note, Topic

logger = logging.getLogger(__name__)

BATCH = 1000
SAMPLE = 20  # rows named in the log per counter


@dataclass(frozen=True)
class Counter:
    model: type[Model]
    field: str
    source: type[Model]  # the rows counted
    source_fk: str  # their column pointing at ``model``

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field}"


def _counters() -> list[Counter]:
    return [
        Counter(Note, "like_count", Like, "note_id"),
        Counter(Note, "collect_count", Collect, "note_id"),
        # Every comment and reply, hidden ones included, as comment_create/comment_delete count them.
        Counter(Note, "comment_count", Comment, "note_id"),
        Counter(Comment, "like_count", CommentLike, "comment_id"),
        Counter(Comment, "reply_count", Comment, "parent_id"),
        Counter(Board, "note_count", Collect, "board_id"),
        # Every note carrying the topic, as the note services count them.
        Counter(Topic, "note_count", Note.topics.through, "topic_id"),
    ]


@dataclass
class Drift:
    counter: str
    rows: int = 0
    # (id, stored, actual) of the first rows fixed
    sample: list[tuple[int, int, int]] = field(default_factory=list)


def counters_recompute(*, batch_size: int = BATCH, only: Iterable[str] | None = None) -> dict[str, Drift]:
    """Check every counter (or those labelled in ``only``, e.g. "community.note.like_count"), fix drift,
    log it. Returns the drift per counter, of those that drifted."""
    report: dict[str, Drift] = {}
    wanted = set(only) if only is not None else None
    for counter in _counters():
        if wanted is not None and counter.label not in wanted:
            continue
        drift = _recompute(counter, batch_size=batch_size)
        if drift.rows:
            report[counter.label] = drift
            logger.warning(
                "counter drift: %s fixed on %d rows; (id, stored, actual): %s%s",
                counter.label,
                drift.rows,
                drift.sample,
                " ..." if drift.rows > len(drift.sample) else "",
            )
    if not report:
        logger.info("counters recomputed: no drift")
    return report


def _recompute(counter: Counter, *, batch_size: int) -> Drift:
    qn = connection.ops.quote_name
    table = qn(counter.model._meta.db_table)
    column = qn(counter.model._meta.get_field(counter.field).column)
    source = qn(counter.source._meta.db_table)
    fk = qn(counter.source_fk)
    lock_sql = f"SELECT id FROM {table} WHERE id > %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED"  # noqa: S608
    fix_sql = (
        f"UPDATE {table} AS t SET {column} = c.actual "  # noqa: S608 - names from the models only
        f"FROM (SELECT b.id, COUNT(s.{fk}) AS actual FROM unnest(%s::bigint[]) AS b(id) "
        f"LEFT JOIN {source} AS s ON s.{fk} = b.id GROUP BY b.id) AS c, {table} AS prev "
        f"WHERE t.id = c.id AND prev.id = t.id AND t.{column} <> c.actual "
        f"RETURNING t.id, prev.{column}, c.actual"
    )
    drift = Drift(counter.label)
    last_id = 0
    while True:
        with transaction.atomic(durable=True), connection.cursor() as cursor:
            cursor.execute(lock_sql, [last_id, batch_size])
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                return drift
            cursor.execute(fix_sql, [ids])
            fixed = sorted(cursor.fetchall())
        last_id = ids[-1]
        drift.rows += len(fixed)
        drift.sample.extend(fixed[: SAMPLE - len(drift.sample)])
