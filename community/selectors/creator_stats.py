"""Creator statistics: what a writer's notes did over the last 7 or 30 days, per day and per note.

Every figure is aggregated in SQL, grouped by day in the site's time zone, one query per metric (orders
and revenue share theirs), plus one for the per-note table: a fixed number of queries however many notes,
likes or orders there are. Days are the site's days (``TIME_ZONE``), the same days the view flush books
``NoteDailyViews`` on, so a chart's bar means the same thing for every metric.

Attribution is the order line's ``referral`` (``note:<id>``): an order counts for a note when one of its
lines names the note and the order was paid inside the window and is still a sale (not cancelled, not
refunded, not returned). Revenue is the sum of those lines, never the whole order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import (
    Collect,
    Comment,
    Follow,
    Like,
    Note,
    NoteDailyViews,
    NoteProduct,
    ProductCardClick,
)
from core.errors import DomainError, NotFound
from mall.models import Order, OrderLine

WINDOW_DAYS = (7, 30)
DEFAULT_WINDOW_DAYS = 7
TOP_NOTES = 10
REFERRAL_PREFIX = "note:"


COUNT_METRICS = ("views", "likes", "collects", "comments", "followers", "card_clicks", "orders")
METRICS = (*COUNT_METRICS, "revenue")
NOTE_METRICS = tuple(m for m in METRICS if m != "followers")  # followers follow a writer, not a note
ZERO_MONEY = Decimal("0.00")
NOTE_NOT_FOUND_MESSAGE = _("That note isn't one of yours, or it no longer exists.")
WINDOW_INVALID_MESSAGE = _("Statistics cover the last 7 or 30 days: ask for days=7 or days=30.")


class StatsWindowInvalid(DomainError):
    code = "invalid_window"


@dataclass(frozen=True)
class StatsWindow:
    days: int
    first_day: dt.date
    last_day: dt.date  # today, in the site's time zone
    start: dt.datetime  # midnight starting first_day
    end: dt.datetime  # midnight ending last_day

    @property
    def day_list(self) -> list[dt.date]:
        return [self.first_day + dt.timedelta(days=i) for i in range(self.days)]


@dataclass
class NoteStats:
    note: Note
    views: int = 0
    likes: int = 0
    collects: int = 0
    comments: int = 0
    card_clicks: int = 0
    orders: int = 0
    revenue: Decimal = ZERO_MONEY


@dataclass
class CreatorStats:
    window: StatsWindow
    has_notes: bool
    # None for a metric that doesn't apply (followers of one note).
    totals: dict[str, int | Decimal | None]
    # metric -> [(day, value)] for every day of the window, zeros included, oldest first.
    series: dict[str, list[tuple[dt.date, int | Decimal | None]]]
    notes: list[NoteStats] = field(default_factory=list)
    # Set when the figures are one note's: followers then don't apply (they follow writers, not notes).
    note: Note | None = None

    @property
    def metrics(self) -> tuple[str, ...]:
        return METRICS if self.note is None else NOTE_METRICS

    @property
    def daily(self) -> list[dict]:
        """One dict per day with every metric: what the API returns."""
        rows = []
        for index, day in enumerate(self.window.day_list):
            rows.append({"day": day, **{metric: self.series[metric][index][1] for metric in METRICS}})
        return rows


def stats_window_days(raw) -> int:
    """The window a request asked for: 7 when it asked for nothing, a clear error for anything but 7/30."""
    if raw is None or raw == "":
        return DEFAULT_WINDOW_DAYS
    days = {str(d): d for d in WINDOW_DAYS}.get(raw) if isinstance(raw, str) else None
    if days is None:
        raise StatsWindowInvalid(WINDOW_INVALID_MESSAGE)
    return days


def stats_window(*, days: int, now: dt.datetime | None = None) -> StatsWindow:
    if days not in WINDOW_DAYS:
        raise StatsWindowInvalid(WINDOW_INVALID_MESSAGE)
    tz = timezone.get_default_timezone()
    last_day = timezone.localdate(now or timezone.now(), tz)
    first_day = last_day - dt.timedelta(days=days - 1)
    return StatsWindow(
        days=days,
        first_day=first_day,
        last_day=last_day,
        start=dt.datetime.combine(first_day, dt.time.min, tzinfo=tz),
        end=dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def stats_note_id(raw) -> int | None:
    """The one note a request narrowed the figures to, if any; anything but a note id finds nothing."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise NotFound(NOTE_NOT_FOUND_MESSAGE)
    return int(raw)


def creator_stats(
    *,
    user,
    days: int = DEFAULT_WINDOW_DAYS,
    note_id: int | None = None,
    now: dt.datetime | None = None,
) -> CreatorStats:
    """Everything the statistics page and API show for ``user``'s own notes over the last ``days`` days,
    or for one of them (``note_id``): a note of someone else's is not found, never shown."""
    window = stats_window(days=days, now=now)
    notes = _top_notes(user=user, window=window, note_id=note_id)
    if not notes:
        if note_id is not None:
            raise NotFound(NOTE_NOT_FOUND_MESSAGE)
        # No notes, nothing to count: the page shows how to start instead of eight flat charts.
        zeros = {m: ZERO_MONEY if m == "revenue" else 0 for m in METRICS}
        series = {m: [(day, zeros[m]) for day in window.day_list] for m in METRICS}
        return CreatorStats(window=window, has_notes=False, totals=zeros, series=series)

    # The top-notes query just proved note_id is the writer's own, so filtering on it alone is safe.
    on_notes = Q(note__author=user) if note_id is None else Q(note_id=note_id)
    per_day: dict[str, dict[dt.date, int | Decimal]] = {
        "views": _by_day(
            NoteDailyViews.objects.filter(on_notes, day__gte=window.first_day, day__lte=window.last_day)
            .values("day")
            .annotate(value=Sum("views"))
        ),
        "likes": _count_by_day(Like.objects.filter(on_notes), window),
        "collects": _count_by_day(Collect.objects.filter(on_notes), window),
        # Replying under your own note is conversation, not engagement.
        "comments": _count_by_day(Comment.objects.filter(on_notes).exclude(author=user), window),
        "card_clicks": _count_by_day(ProductCardClick.objects.filter(on_notes), window),
    }
    if note_id is None:
        per_day["followers"] = _count_by_day(Follow.objects.filter(followee=user), window)
    per_day.update(_sales_by_day(user=user, window=window, note_id=note_id))

    series: dict[str, list[tuple[dt.date, int | Decimal | None]]] = {}
    totals: dict[str, int | Decimal | None] = {}
    for metric in METRICS:
        if metric not in per_day:
            series[metric] = [(day, None) for day in window.day_list]
            totals[metric] = None
            continue
        zero = ZERO_MONEY if metric == "revenue" else 0
        series[metric] = [(day, per_day[metric].get(day, zero)) for day in window.day_list]
        # An order is paid on one day only, so adding each day's distinct orders counts each order once.
        totals[metric] = sum((value for _day, value in series[metric]), zero)
    return CreatorStats(
        window=window,
        has_notes=True,
        totals=totals,
        series=series,
        notes=notes,
        note=notes[0].note if note_id is not None else None,
    )


# --- helpers ----------------------------------------------------------------------------------------------


def _day(field_name: str) -> TruncDate:
    return TruncDate(field_name, tzinfo=timezone.get_default_timezone())


def _by_day(rows) -> dict[dt.date, int | Decimal]:
    return {row["day"]: row["value"] or 0 for row in rows}


def _count_by_day(qs: QuerySet, window: StatsWindow, field_name: str = "created_at") -> dict:
    return _by_day(
        qs.filter(**{f"{field_name}__gte": window.start, f"{field_name}__lt": window.end})
        .annotate(day=_day(field_name))
        .order_by()
        .values("day")
        .annotate(value=Count("pk"))
    )


def _note_referral(outer: str = "pk") -> Concat:
    return Concat(Value(REFERRAL_PREFIX), Cast(outer, output_field=CharField()), output_field=CharField())


def counted_sale_lines(*, window: StatsWindow) -> QuerySet[OrderLine]:
    """Order lines paid inside ``window`` whose order is still a sale and whose referral names a note that
    tags the product bought: a ``?ref=note:<id>`` carried onto any other product credits nobody (anyone can
    type a referral into a URL)."""
    tagging = NoteProduct.objects.annotate(ref=_note_referral("note_id")).filter(
        ref=OuterRef("referral"), product_id=OuterRef("sku__product_id")
    )
    return OrderLine.objects.filter(
        Exists(tagging),
        order__paid_at__gte=window.start,
        order__paid_at__lt=window.end,
        order__state__in=Order.SOLD_STATES,
    )


def _sales_by_day(*, user, window: StatsWindow, note_id: int | None = None) -> dict[str, dict]:
    if note_id is None:
        writer_refs = Note.objects.filter(author=user).annotate(ref=_note_referral()).values("ref")
        referred = Q(referral__in=Subquery(writer_refs))
    else:
        referred = Q(referral=f"{REFERRAL_PREFIX}{note_id}")
    rows = (
        counted_sale_lines(window=window)
        .filter(referred)
        .annotate(day=_day("order__paid_at"))
        .order_by()
        .values("day")
        .annotate(orders=Count("order_id", distinct=True), revenue=Sum("line_total"))
    )
    orders: dict[dt.date, int] = {}
    revenue: dict[dt.date, Decimal] = {}
    for row in rows:
        orders[row["day"]] = row["orders"]
        revenue[row["day"]] = row["revenue"] or ZERO_MONEY
    return {"orders": orders, "revenue": revenue}


def _in_window(qs: QuerySet, window: StatsWindow) -> QuerySet:
    return qs.filter(created_at__gte=window.start, created_at__lt=window.end)


def _per_note(qs: QuerySet, aggregate, output_field=None) -> Coalesce:
    """A correlated subquery: ``aggregate`` over ``qs`` rows of the outer note (qs filtered on it already)."""
    output_field = output_field or IntegerField()
    value = Subquery(
        qs.order_by().values("note_id").annotate(value=aggregate).values("value")[:1],
        output_field=output_field,
    )
    zero = Value(ZERO_MONEY) if isinstance(output_field, DecimalField) else Value(0)
    return Coalesce(value, zero, output_field=output_field)


def _top_notes(*, user, window: StatsWindow, note_id: int | None = None) -> list[NoteStats]:
    """The writer's notes with the most views in the window, each with every metric: one query. With
    ``note_id``, that note alone, and only if it is the writer's."""
    note = OuterRef("pk")
    sales = counted_sale_lines(window=window).filter(referral=OuterRef("ref")).order_by().values("referral")
    money = DecimalField(max_digits=14, decimal_places=2)
    mine = Note.objects.filter(author=user).exclude(status=Note.Status.DRAFT)
    if note_id is not None:
        mine = mine.filter(pk=note_id)
    notes = (
        mine.select_related("cover")
        .annotate(
            ref=_note_referral(),
            w_views=_per_note(
                NoteDailyViews.objects.filter(note=note, day__gte=window.first_day, day__lte=window.last_day),
                Sum("views"),
            ),
            w_likes=_per_note(_in_window(Like.objects.filter(note=note), window), Count("pk")),
            w_collects=_per_note(_in_window(Collect.objects.filter(note=note), window), Count("pk")),
            w_comments=_per_note(
                _in_window(Comment.objects.filter(note=note).exclude(author=user), window), Count("pk")
            ),
            w_card_clicks=_per_note(
                _in_window(ProductCardClick.objects.filter(note=note), window), Count("pk")
            ),
            w_orders=Coalesce(
                Subquery(sales.annotate(value=Count("order_id", distinct=True)).values("value")[:1]),
                Value(0),
            ),
            w_revenue=Coalesce(
                Subquery(sales.annotate(value=Sum("line_total")).values("value")[:1], output_field=money),
                Value(ZERO_MONEY),
                output_field=money,
            ),
        )
        .order_by("-w_views", "-id")[:TOP_NOTES]
    )
    return [
        NoteStats(
            note=n,
            views=n.w_views,
            likes=n.w_likes,
            collects=n.w_collects,
            comments=n.w_comments,
            card_clicks=n.w_card_clicks,
            orders=n.w_orders,
            revenue=n.w_revenue,
        )
        for n in notes
    ]
