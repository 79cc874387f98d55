"""Product buzz: how much the community talks about each product, recomputed hourly from the raw rows.

Per product:

    mentions    = public, published notes tagging it (``NoteProduct``)
    engagement  = likes + collects + visible comments on those notes (counted rows, not the counters)
    card_clicks = taps on its cards in notes (open, buy, cart) in the last ``CLICK_WINDOW``
    score       = sum over those notes of (MENTION_WEIGHT + engagement of the note) x decay(note age)
                  + CLICK_WEIGHT x card_clicks
    decay(age)  = 0.5 ^ (age / HALF_LIFE)

A mention is worth five reactions; a card tap, two: someone wanted the product itself. The decay halves
what a note contributes every 30 days, so last season's favourite slowly gives way to what people talk
about now, while mentions and engagement are shown undecayed (the figures an operator can check).
Hidden comments are moderated away and do not count.

The rows come from one SQL statement (the database aggregates 200k notes faster than Python can read
them) and are written in one transaction: an upsert of every product with buzz, and a delete of the
rows of products nobody talks about any more, so the table only holds products with a reason to be there.
Running it twice gives the same table: the task is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from community.models import Collect, Comment, Like, Note, NoteProduct, ProductBuzz, ProductCardClick

logger = logging.getLogger(__name__)

MENTION_WEIGHT = 5.0
CLICK_WEIGHT = 2.0
HALF_LIFE = timedelta(days=30)
CLICK_WINDOW = timedelta(days=30)


def buzz_score(*, notes: list[tuple[int, float]], card_clicks: int) -> float:
    """The formula in Python, for tests and explanations: ``notes`` are (engagement, age in days) pairs.
    The database computes the same in ``_BUZZ_SQL``."""
    half_life_days = HALF_LIFE.total_seconds() / 86400
    mentioned = sum(
        (MENTION_WEIGHT + engagement) * 0.5 ** (max(age_days, 0.0) / half_life_days)
        for engagement, age_days in notes
    )
    return mentioned + CLICK_WEIGHT * card_clicks


@dataclass(frozen=True)
class BuzzFigures:
    product_id: int
    mentions: int
    engagement: int
    card_clicks: int
    score: float


def _buzz_sql() -> str:
    tables = {
        "note": Note._meta.db_table,
        "link": NoteProduct._meta.db_table,
        "like": Like._meta.db_table,
        "collect": Collect._meta.db_table,
        "comment": Comment._meta.db_table,
        "click": ProductCardClick._meta.db_table,
    }
    # Table names come from the models; every value is a query parameter.
    return """
        WITH tagged AS (
            SELECT link.product_id, note.id AS note_id,
                   GREATEST(EXTRACT(EPOCH FROM (%(now)s - note.created_at)) / 86400.0, 0) AS age_days
              FROM {link} link
              JOIN {note} note ON note.id = link.note_id
             WHERE note.status = %(published)s AND note.visibility = %(public)s
        ),
        engaged AS (
            SELECT tagged.*,
                   (SELECT COUNT(*) FROM {like} l WHERE l.note_id = tagged.note_id)
                 + (SELECT COUNT(*) FROM {collect} c WHERE c.note_id = tagged.note_id)
                 + (SELECT COUNT(*) FROM {comment} m
                     WHERE m.note_id = tagged.note_id AND m.status = %(visible)s) AS engagement
              FROM tagged
        ),
        mentioned AS (
            SELECT product_id, COUNT(*) AS mentions, SUM(engagement) AS engagement,
                   SUM((%(mention_weight)s + engagement) * POWER(0.5, age_days / %(half_life)s)) AS weighted
              FROM engaged GROUP BY product_id
        ),
        clicked AS (
            SELECT product_id, COUNT(*) AS clicks
              FROM {click} WHERE created_at >= %(clicks_since)s GROUP BY product_id
        )
        SELECT COALESCE(m.product_id, k.product_id),
               COALESCE(m.mentions, 0), COALESCE(m.engagement, 0), COALESCE(k.clicks, 0),
               COALESCE(m.weighted, 0) + %(click_weight)s * COALESCE(k.clicks, 0)
          FROM mentioned m FULL OUTER JOIN clicked k ON k.product_id = m.product_id
    """.format(**tables)  # noqa: S608


def buzz_figures(*, now: datetime | None = None) -> list[BuzzFigures]:
    """Every product's buzz, computed from the raw rows in one query (products without any: absent)."""
    now = now or timezone.now()
    params = {
        "now": now,
        "published": Note.Status.PUBLISHED,
        "public": Note.Visibility.PUBLIC,
        "visible": Comment.Status.VISIBLE,
        "mention_weight": MENTION_WEIGHT,
        "half_life": HALF_LIFE.total_seconds() / 86400,
        "clicks_since": now - CLICK_WINDOW,
        "click_weight": CLICK_WEIGHT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_buzz_sql(), params)
        rows = cursor.fetchall()
    return [
        BuzzFigures(
            product_id=product_id,
            mentions=int(mentions),
            engagement=int(engagement),
            card_clicks=int(clicks),
            score=float(score),
        )
        for product_id, mentions, engagement, clicks, score in rows
    ]


@dataclass(frozen=True)
class BuzzRecompute:
    products: int  # products with buzz now
    removed: int  # rows of products nobody talks about any more


def product_buzz_recompute(*, now: datetime | None = None) -> BuzzRecompute:
    """Rewrite ``ProductBuzz`` from the raw rows: upsert every product with buzz, delete the others."""
    figures = buzz_figures(now=now)
    rows = [
        ProductBuzz(
            product_id=f.product_id,
            mentions=f.mentions,
            engagement=f.engagement,
            card_clicks=f.card_clicks,
            score=f.score,
        )
        # In product order: two runs at once lock the rows they upsert in the same order (no deadlock).
        for f in sorted(figures, key=lambda f: f.product_id)
    ]
    with transaction.atomic(durable=True):
        if rows:
            ProductBuzz.objects.bulk_create(
                rows,
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["product"],
                update_fields=["mentions", "engagement", "card_clicks", "score", "computed_at"],
            )
        removed, _detail = ProductBuzz.objects.exclude(
            product_id__in=[f.product_id for f in figures]
        ).delete()
    result = BuzzRecompute(products=len(rows), removed=removed)
    logger.info("product buzz recomputed: %d products, %d rows removed", result.products, result.removed)
    return result
