"""The operators' demand view: what the community talks about against what the mall sells and holds.

Three tables, four queries whatever their length:

- products ranked by buzz (``ProductBuzz``, recomputed hourly) with card clicks and units sold in the
  chosen period, and available stock (on hand - allocated over its stock records), each a correlated
  subquery of the one product query;
- brands ranked the same way, aggregated over their products (one grouped query);
- "not sold here yet": topics of notes that tag no mall product and whose comments ask where to buy,
  ranked by such asking comments and engagement, leaving out topics that are already a mall brand or
  product name (one grouped query), with a few sample notes each (one windowed query).

Hints (``hint_for``) turn the figures into a suggestion: a product people talk about with little stock
left should be restocked; one with high buzz and plenty of stock is a flash-sale candidate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Comment, Note, NoteProduct, ProductBuzz, ProductCardClick
from core.errors import DomainError
from mall.models import Brand, Order, OrderLine, Product, Sku, StockRecord

PERIODS = (7, 30)
DEFAULT_PERIOD = 30
PRODUCTS_SHOWN = 50
BRANDS_SHOWN = 20
TOPICS_SHOWN = 20
SAMPLE_NOTES = 3


# How readers ask for a product under a note. Matched case-insensitively anywhere in the comment.
ASKING_PHRASES = (
    "where to buy",
    "where can i buy",
    "link please",
    "link?",
    "哪里买",
    "在哪买",
    "求链接",
    "链接",
    "购买链接",
    "求店铺",
)
ASKING_REGEX = "|".join(re.escape(phrase) for phrase in ASKING_PHRASES)

# Hints. "Low" stock: no more than a restock threshold or than the period's sales (it would run out
# within the next period). "Good" stock: enough to move a flash-sale quota out and keep selling.
RESTOCK_UNITS = 10
FLASH_SALE_MIN_UNITS = 50
HIGH_BUZZ_SHARE = 0.5  # of the top product's score


class Hint:
    RESTOCK = "restock"
    FLASH_SALE = "flash_sale"

    LABELS = {
        RESTOCK: _("Talked about, low stock: restock"),
        FLASH_SALE: _("High buzz, good stock: flash sale candidate"),
    }


def period_parse(value) -> int:
    """The period in days from a query string: 7 or 30 (default 30); anything else is a clear 400."""
    if value in (None, ""):
        return DEFAULT_PERIOD
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if days not in PERIODS:
        raise DomainError(_("The period is 7 or 30 days."), field="period")
    return days


def hint_for(*, mentions: int, score: float, top_score: float, available: int, units_sold: int) -> str:
    talked_about = mentions > 0 or score > 0
    if talked_about and available <= max(RESTOCK_UNITS, units_sold):
        return Hint.RESTOCK
    if top_score > 0 and score >= HIGH_BUZZ_SHARE * top_score and available >= FLASH_SALE_MIN_UNITS:
        return Hint.FLASH_SALE
    return ""


# --- the figures, as subqueries on a product (or brand) reference ----------------------------------------


def _total(qs: QuerySet, expression) -> Subquery:
    """SUM(expression) over ``qs`` as a scalar subquery (0 when empty)."""
    summed = qs.order_by().annotate(_one=Value(1)).values("_one").annotate(total=Sum(expression))
    return Coalesce(Subquery(summed.values("total"), output_field=IntegerField()), Value(0))


def _clicks(since, **product) -> Subquery:
    return Coalesce(
        Subquery(
            ProductCardClick.objects.filter(created_at__gte=since, **product)
            .order_by()
            .annotate(_one=Value(1))
            .values("_one")
            .annotate(n=Count("id"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _units_sold(since, **product) -> Subquery:
    lines = OrderLine.objects.filter(order__state__in=Order.SOLD_STATES, order__paid_at__gte=since, **product)
    return _total(lines, "quantity")


def _available(**product) -> Subquery:
    return _total(StockRecord.objects.filter(**product), F("on_hand") - F("allocated"))


# --- rows ----------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class DemandFigures:
    """What the demand view shows of a product or a brand over the period, and the hint drawn from it."""

    mentions: int
    engagement: int
    score: float
    card_clicks: int
    units_sold: int
    available: int
    hint: str = ""

    @property
    def hint_label(self) -> str:
        return str(Hint.LABELS.get(self.hint, ""))


def _figures(row) -> dict:
    """The figures of an annotated product or brand row, as ``DemandFigures`` takes them."""
    return {
        "mentions": row.mentions,
        "engagement": row.engagement,
        "score": row.score,
        "card_clicks": row.clicks_period,
        "units_sold": row.units_sold,
        "available": row.available,
    }


@dataclass(kw_only=True)
class ProductDemand(DemandFigures):
    product_id: int
    name: str
    slug: str
    is_active: bool
    brand_id: int
    brand_name: str
    sku_code: str


@dataclass(kw_only=True)
class BrandDemand(DemandFigures):
    brand_id: int
    name: str
    products: int


@dataclass
class SampleNote:
    id: int
    title: str
    author: str
    asks: int


@dataclass
class UnsoldTopic:
    topic_id: int
    name: str
    asks: int
    notes: int
    engagement: int
    samples: list[SampleNote] = field(default_factory=list)


@dataclass
class Demand:
    period: int
    since: object
    products: list[ProductDemand]
    brands: list[BrandDemand]
    unsold_topics: list[UnsoldTopic]


def _product_rows(*, since) -> list[ProductDemand]:
    buzz = (
        ProductBuzz.objects.select_related("product__brand")
        .annotate(
            clicks_period=_clicks(since, product=OuterRef("product_id")),
            units_sold=_units_sold(since, sku__product=OuterRef("product_id")),
            available=_available(sku__product=OuterRef("product_id")),
            sku_code=Subquery(
                Sku.objects.filter(product=OuterRef("product_id"), is_active=True)
                .order_by("id")
                .values("code")[:1]
            ),
        )
        .order_by("-score", "product_id")[:PRODUCTS_SHOWN]
    )
    rows = [
        ProductDemand(
            product_id=b.product_id,
            name=b.product.name,
            slug=b.product.slug,
            is_active=b.product.is_active,
            brand_id=b.product.brand_id,
            brand_name=b.product.brand.name,
            sku_code=b.sku_code or "",
            **_figures(b),
        )
        for b in buzz
    ]
    return _with_hints(rows)


def _with_hints(rows):
    """Each row's restock / flash-sale hint, judged against the top score of its own table."""
    top = rows[0].score if rows else 0.0
    for row in rows:
        row.hint = hint_for(
            mentions=row.mentions,
            score=row.score,
            top_score=top,
            available=row.available,
            units_sold=row.units_sold,
        )
    return rows


def _brand_rows(*, since) -> list[BrandDemand]:
    def buzz_sum(column: str, output=None):
        output = output or IntegerField()
        return Coalesce(
            Subquery(
                ProductBuzz.objects.filter(product__brand=OuterRef("pk"))
                .order_by()
                .values("product__brand")
                .annotate(total=Sum(column))
                .values("total"),
                output_field=output,
            ),
            Value(0),
            output_field=output,
        )

    brands = (
        Brand.objects.filter(Exists(ProductBuzz.objects.filter(product__brand=OuterRef("pk"))))
        .annotate(
            products_talked=Coalesce(
                Subquery(
                    ProductBuzz.objects.filter(product__brand=OuterRef("pk"))
                    .order_by()
                    .values("product__brand")
                    .annotate(n=Count("product"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            mentions=buzz_sum("mentions"),
            engagement=buzz_sum("engagement"),
            score=buzz_sum("score", FloatField()),
            clicks_period=_clicks(since, product__brand=OuterRef("pk")),
            units_sold=_units_sold(since, sku__product__brand=OuterRef("pk")),
            available=_available(sku__product__brand=OuterRef("pk")),
        )
        .order_by("-score", "name")[:BRANDS_SHOWN]
    )
    rows = [
        BrandDemand(
            brand_id=b.pk,
            name=b.name,
            products=b.products_talked,
            **_figures(b),
        )
        for b in brands
    ]
    return _with_hints(rows)


def _asking_comments(since, note_ref) -> QuerySet[Comment]:
    return Comment.objects.filter(
        note=note_ref, status=Comment.Status.VISIBLE, created_at__gte=since, body__iregex=ASKING_REGEX
    )


def _asking_count(since, note_ref) -> Subquery:
    return Coalesce(
        Subquery(
            _asking_comments(since, note_ref).order_by().values("note").annotate(n=Count("id")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _unsold_note_topics(since) -> QuerySet:
    """(note, topic) pairs of public notes tagging no mall product, with the note's asking comments, in
    topics that are not the name of a mall brand or of a product on sale."""
    NoteTopic = Note.topics.through
    return (
        NoteTopic.objects.filter(note__status=Note.Status.PUBLISHED, note__visibility=Note.Visibility.PUBLIC)
        .filter(Exists(_asking_comments(since, OuterRef("note_id"))))
        .exclude(Exists(NoteProduct.objects.filter(note=OuterRef("note_id"))))
        .exclude(
            Exists(
                Brand.objects.filter(
                    Q(name_en__iexact=OuterRef("topic__name"))
                    | Q(name_zh_hans__iexact=OuterRef("topic__name"))
                )
            )
        )
        # A product taken off sale is not sold here: readers asking for it is a reason to bring it back.
        .exclude(
            Exists(
                Product.objects.filter(
                    Q(name_en__iexact=OuterRef("topic__name"))
                    | Q(name_zh_hans__iexact=OuterRef("topic__name")),
                    is_active=True,
                )
            )
        )
        .annotate(asks=_asking_count(since, OuterRef("note_id")))
    )


def _unsold_topics(*, since) -> list[UnsoldTopic]:
    pairs = _unsold_note_topics(since)
    grouped = (
        pairs.values("topic_id", "topic__name")
        .annotate(
            ask_total=Sum("asks"),
            note_total=Count("note_id"),
            engagement=Sum(F("note__like_count") + F("note__collect_count") + F("note__comment_count")),
        )
        .order_by("-ask_total", "-engagement", "topic__name")[:TOPICS_SHOWN]
    )
    topics = [
        UnsoldTopic(
            topic_id=row["topic_id"],
            name=row["topic__name"],
            asks=row["ask_total"],
            notes=row["note_total"],
            engagement=row["engagement"] or 0,
        )
        for row in grouped
    ]
    if not topics:
        return topics
    by_id = {t.topic_id: t for t in topics}
    samples = (
        pairs.filter(topic_id__in=list(by_id))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("topic_id")],
                order_by=[F("asks").desc(), F("note__like_count").desc(), F("note_id").desc()],
            )
        )
        .filter(rank__lte=SAMPLE_NOTES)
        .values(
            "topic_id", "note_id", "note__title", "note__author__nickname", "note__author__username", "asks"
        )
        .order_by("topic_id", "rank")
    )
    for row in samples:
        by_id[row["topic_id"]].samples.append(
            SampleNote(
                id=row["note_id"],
                title=row["note__title"],
                author=row["note__author__nickname"] or row["note__author__username"],
                asks=row["asks"],
            )
        )
    return topics


def demand_overview(*, period: int = DEFAULT_PERIOD, now=None) -> Demand:
    """Everything the demand view shows for the last ``period`` days, in four queries."""
    if period not in PERIODS:
        raise DomainError(_("The period is 7 or 30 days."), field="period")
    since = (now or timezone.now()) - timedelta(days=period)
    return Demand(
        period=period,
        since=since,
        products=_product_rows(since=since),
        brands=_brand_rows(since=since),
        unsold_topics=_unsold_topics(since=since),
    )
