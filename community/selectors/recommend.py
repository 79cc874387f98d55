""" "Recommended for you" on the mall home: products the shopper's corner of the community talks about.

Signals, for a signed-in shopper:

- notes written by people they follow that tag a product ("3 people you follow wrote about it");
- notes in topics they engaged with in the last 90 days (topics of notes they liked, collected or
  commented on) that tag a product ("popular in #skincare").

Each product is ranked by its buzz among those notes only: every such note adds (5 + its likes, collects
and comments), doubled when a followed writer wrote it (the same weights as the global buzz); ties go to
the global buzz. Too little signal (a new shopper, an anonymous visitor) is filled from the global
``ProductBuzz`` ranking. Inactive products never show, sold-out ones come last; the shopper's own notes
do not recommend to them.

Queries: signed in, six (the shopper's engaged topics, personal ranking, the shown products' top topics,
global ranking, product cards, stock; five for a shopper with no engaged topic); anonymous, three; none of
the card queries run when there is nothing to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from community.models import Collect, Comment, Follow, Like, Note, NoteProduct, ProductBuzz
from core.lru import Lru
from mall.models import Product
from mall.selectors.catalog import media_url, product_card_qs
from mall.selectors.stock import available_by_product, stock_state

LIMIT = 8
LIMIT_MAX = 20
ENGAGED_WINDOW = timedelta(days=90)
MENTION_WEIGHT = 5
FOLLOWED_WEIGHT = 2
#: The shopper's most engaged topics the ranking looks into.
ENGAGED_TOPICS_MAX = 20

NoteTopic = Note.topics.through


class Reason:
    FOLLOWED = "followed"
    TOPIC = "topic"
    POPULAR = "popular"


@dataclass
class Recommendation:
    product: Product  # with cover_url, available, stock_state, brand
    reason: str
    followed_writers: int = 0
    topic: str = ""
    mentions: int = 0
    score: float = 0.0

    @property
    def why(self) -> str:
        if self.reason == Reason.FOLLOWED:
            return ngettext(
                "%(count)d person you follow wrote about it",
                "%(count)d people you follow wrote about it",
                self.followed_writers,
            ) % {"count": self.followed_writers}
        if self.reason == Reason.TOPIC:
            return _("Popular in #%(topic)s") % {"topic": self.topic}
        if self.mentions:
            return ngettext(
                "Talked about in %(count)d note", "Talked about in %(count)d notes", self.mentions
            ) % {"count": self.mentions}
        return _("Popular in the community")


def _public_note(prefix: str = "note__") -> Q:
    return Q(**{f"{prefix}status": Note.Status.PUBLISHED, f"{prefix}visibility": Note.Visibility.PUBLIC})


def _engaged_topic_ids(*, user, since) -> list[int]:
    """The ``ENGAGED_TOPICS_MAX`` topics ``user`` engaged with most since ``since`` (topics of the notes they
    liked, collected or commented on), as a list: read once, where a subquery was re-run inside the
    ranking's correlated parts (15 s for a reader of 69 topics at 200k notes)."""
    liked = Like.objects.filter(user=user, created_at__gte=since).values("note_id")
    collected = Collect.objects.filter(user=user, created_at__gte=since).values("note_id")
    commented = Comment.objects.filter(author=user, created_at__gte=since).values("note_id")
    return list(
        NoteTopic.objects.filter(Q(note_id__in=liked) | Q(note_id__in=collected) | Q(note_id__in=commented))
        .values("topic_id")
        .annotate(notes=Count("id"))
        .order_by("-notes", "topic_id")
        .values_list("topic_id", flat=True)[:ENGAGED_TOPICS_MAX]
    )


def _top_topics(*, user, topic_ids: list[int], product_ids: list[int]) -> dict[int, str]:
    """For each of ``product_ids``, the name of the engaged topic most of its public notes are in (not the
    shopper's own notes): one query for the few products shown, not a subquery per product ranked."""
    rows = (
        NoteTopic.objects.filter(
            topic_id__in=topic_ids,
            note__product_links__product_id__in=product_ids,
            note__status=Note.Status.PUBLISHED,
            note__visibility=Note.Visibility.PUBLIC,
        )
        .exclude(note__author=user)
        .values("note__product_links__product_id", "topic__name")
        .annotate(notes=Count("note_id"))
    )
    best: dict[int, tuple[int, str]] = {}
    for row in rows:
        product_id, name, notes = row["note__product_links__product_id"], row["topic__name"], row["notes"]
        if product_id not in best or (-notes, name) < (-best[product_id][0], best[product_id][1]):
            best[product_id] = (notes, name)
    return {product_id: name for product_id, (_notes, name) in best.items()}


def _personal(*, user, limit: int, now) -> list[dict]:
    """Product ids with their personal buzz, followed writers and top engaged topic, best first."""
    followees = Follow.objects.filter(follower=user).values("followee_id")
    topic_ids = _engaged_topic_ids(user=user, since=now - ENGAGED_WINDOW)
    by_followed = Q(note__author__in=followees)
    in_topics = Q(Exists(NoteTopic.objects.filter(note_id=OuterRef("note_id"), topic_id__in=topic_ids)))
    note_weight = (
        Value(MENTION_WEIGHT) + F("note__like_count") + F("note__collect_count") + F("note__comment_count")
    )
    rows = list(
        NoteProduct.objects.filter(_public_note(), product__is_active=True)
        .filter(by_followed | in_topics if topic_ids else by_followed)
        .exclude(note__author=user)
        .values("product_id")
        .annotate(
            followed_writers=Count("note__author", distinct=True, filter=by_followed),
            personal=Sum(
                Case(
                    When(by_followed, then=note_weight * Value(FOLLOWED_WEIGHT)),
                    default=note_weight,
                    output_field=IntegerField(),
                )
            ),
            buzz=Coalesce(
                Subquery(ProductBuzz.objects.filter(product=OuterRef("product_id")).values("score")[:1]),
                Value(0.0),
                output_field=FloatField(),
            ),
        )
        .order_by("-personal", "-buzz", "product_id")[:limit]
    )
    if rows and topic_ids:
        topics = _top_topics(user=user, topic_ids=topic_ids, product_ids=[r["product_id"] for r in rows])
        for row in rows:
            row["topic"] = topics.get(row["product_id"], "")
    return rows


#: The personal ranking of shoppers seen lately, per process: (computed at, limit, rows). The ranking reads
#: every product-linked note of the shopper's corner (0.3-0.6 s at 200k notes for a shopper following 1,000
#: writers); the strip is a suggestion, so it may be ``RECOMMEND_CACHE_SECONDS`` old. Stock and cards are
#: read fresh on every page.
_personal_recent: Lru[tuple] = Lru(4096)


def _personal_cached(*, user, limit: int, now) -> list[dict]:
    ttl = getattr(settings, "RECOMMEND_CACHE_SECONDS", 300)
    hit = _personal_recent.get(user.pk)
    if hit is not None and hit[1] == limit and 0 <= (now - hit[0]).total_seconds() < ttl:
        return hit[2]
    rows = _personal(user=user, limit=limit, now=now)
    if ttl > 0:
        _personal_recent.put(user.pk, (now, limit, rows))
    return rows


def recommend_cache_clear() -> None:
    """Forget every shopper's cached ranking (tests)."""
    _personal_recent.clear()


def _popular(*, limit: int, exclude: list[int]) -> list[ProductBuzz]:
    return list(
        ProductBuzz.objects.filter(product__is_active=True, score__gt=0)
        .exclude(product_id__in=exclude)
        .order_by("-score", "product_id")
        .only("product_id", "mentions", "score")[:limit]
    )


def recommended_products(*, user, limit: int = LIMIT, now=None) -> list[Recommendation]:
    """Up to ``limit`` products for ``user`` (anonymous allowed), each with why it is recommended."""
    limit = max(1, min(limit, LIMIT_MAX))
    now = now or timezone.now()
    picks: list[Recommendation] = []
    if user is not None and user.is_authenticated:
        for row in _personal_cached(user=user, limit=limit, now=now):
            followed = row["followed_writers"]
            picks.append(
                Recommendation(
                    product=Product(pk=row["product_id"]),
                    reason=Reason.FOLLOWED if followed else Reason.TOPIC,
                    followed_writers=followed,
                    topic=row.get("topic") or "",
                    score=float(row["personal"]),
                )
            )
    chosen = [p.product.pk for p in picks]
    for buzz in _popular(limit=limit, exclude=chosen)[: limit - len(picks)]:
        picks.append(
            Recommendation(
                product=Product(pk=buzz.product_id),
                reason=Reason.POPULAR,
                mentions=buzz.mentions,
                score=buzz.score,
            )
        )
    if not picks:
        return []
    ids = [p.product.pk for p in picks]
    cards = {p.pk: p for p in product_card_qs().filter(pk__in=ids)}
    available = available_by_product(product_ids=ids, now=now)
    result = []
    for pick in picks:
        product = cards.get(pick.product.pk)
        if product is None:  # turned inactive between the queries
            continue
        product.cover_url = media_url(product.cover_path)
        product.available = available.get(product.pk, 0)
        product.stock_state = stock_state(product.available)
        pick.product = product
        result.append(pick)
    # What cannot be bought right now goes last (a stable sort keeps the ranking otherwise).
    result.sort(key=lambda pick: pick.product.stock_state == "sold_out")
    return result
