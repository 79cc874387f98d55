"""Creator statistics: rows backdated to given instants, and an independent recount of them in plain Python
(the oracle the selector must match), written out here rather than imported from the selector so that
the recount does not share its rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Collect, Comment, Follow, Like, Note, NoteDailyViews, ProductCardClick
from community.selectors.creator_stats import METRICS, NOTE_METRICS, stats_window
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory
from mall.models import Order, OrderLine
from mall.tests.factories import SkuFactory
from tests.support.orders import order_row

# Written out here rather than imported: the recount must not share the selector's rules.
UNCOUNTED = {"cancelled", "refund_due", "customs_rejected", "refunded", "returned"}


# --- building rows, backdated --------------------------------------------------


def backdate(obj, when: dt.datetime) -> None:
    type(obj).objects.filter(pk=obj.pk).update(created_at=when)


def like(user, note, when: dt.datetime) -> Like:
    row = Like.objects.create(user=user, note=note)
    backdate(row, when)
    return row


def collect(user, note, when: dt.datetime) -> Collect:
    board = BoardFactory(owner=user) if not user.boards.exists() else user.boards.first()
    row = Collect.objects.create(user=user, note=note, board=board)
    backdate(row, when)
    return row


def comment(user, note, when: dt.datetime, parent=None) -> Comment:
    row = CommentFactory(author=user, note=note, parent=parent)
    backdate(row, when)
    return row


def follow(follower, followee, when: dt.datetime) -> Follow:
    row = Follow.objects.create(follower=follower, followee=followee)
    backdate(row, when)
    return row


def click(note, when: dt.datetime, user=None, action=ProductCardClick.Action.BUY) -> ProductCardClick:
    row = ProductCardClick.objects.create(note=note, product=_sku().product, user=user, action=action)
    backdate(row, when)
    return row


def views(note, day: dt.date, count: int) -> NoteDailyViews:
    return NoteDailyViews.objects.create(note=note, day=day, views=count)


_skus: list = []


def _sku():
    if not _skus or not type(_skus[0]).objects.filter(pk=_skus[0].pk).exists():
        _skus[:] = [SkuFactory()]
    return _skus[0]


def order(
    buyer,
    *,
    paid_at: dt.datetime | None,
    state: str = Order.State.PAID,
    lines: list[tuple[str, str]],
) -> Order:
    """An order with one line per (referral, line_total); the mall's checkout is tested elsewhere."""
    sku = _sku()
    return order_row(
        user=buyer,
        state=state,
        paid_at=paid_at,
        lines=[{"sku": sku, "unit_price": amount, "referral": referral} for referral, amount in lines],
    )


def ref(note) -> str:
    return f"note:{note.pk}"


# --- the independent recount ---------------------------------------------------------------------------------


def local_day(when: dt.datetime) -> dt.date:
    return timezone.localtime(when, timezone.get_default_timezone()).date()


def recount(writer, *, days: int, now: dt.datetime, note_id: int | None = None) -> dict:
    """Every figure, from every row in the tables, with Python only: the oracle the selector must match.
    With ``note_id``, that note's figures alone (and no followers: they follow writers)."""
    today = local_day(now)
    window = {today - dt.timedelta(days=i) for i in range(days)}
    notes = {n.pk: n for n in Note.objects.all()}
    mine = {pk for pk, n in notes.items() if n.author_id == writer.pk and note_id in (None, pk)}
    daily: dict[str, dict[dt.date, object]] = {m: defaultdict(int) for m in METRICS}
    daily["revenue"] = defaultdict(lambda: Decimal("0.00"))
    per_note: dict[int, dict[str, object]] = {
        pk: {**dict.fromkeys(NOTE_METRICS, 0), "revenue": Decimal("0.00")} for pk in mine
    }

    def add(metric, note_id, when_day, amount=1):
        if when_day in window:
            daily[metric][when_day] += amount
            if note_id is not None:
                per_note[note_id][metric] += amount

    for row in NoteDailyViews.objects.all():
        if row.note_id in mine:
            add("views", row.note_id, row.day, row.views)
    for model, metric in ((Like, "likes"), (Collect, "collects"), (ProductCardClick, "card_clicks")):
        for row in model.objects.all():
            if row.note_id in mine:
                add(metric, row.note_id, local_day(row.created_at))
    for row in Comment.objects.all():
        if row.note_id in mine and row.author_id != writer.pk:
            add("comments", row.note_id, local_day(row.created_at))
    for row in Follow.objects.all():
        if row.followee_id == writer.pk and note_id is None:
            add("followers", None, local_day(row.created_at))

    orders_by_day: dict[dt.date, set[int]] = defaultdict(set)
    orders_by_note: dict[int, set[int]] = defaultdict(set)
    for line in OrderLine.objects.select_related("order"):
        o = line.order
        if o.paid_at is None or o.state in UNCOUNTED:
            continue
        if not line.referral.startswith("note:"):
            continue
        try:
            referred = int(line.referral.removeprefix("note:"))
        except ValueError:
            continue
        paid_day = local_day(o.paid_at)
        if referred not in mine or paid_day not in window:
            continue
        orders_by_day[paid_day].add(o.pk)
        orders_by_note[referred].add(o.pk)
        daily["revenue"][paid_day] += line.line_total
        per_note[referred]["revenue"] += line.line_total
    for day, ids in orders_by_day.items():
        daily["orders"][day] = len(ids)
    for referred, ids in orders_by_note.items():
        per_note[referred]["orders"] = len(ids)

    all_orders = set().union(*orders_by_day.values()) if orders_by_day else set()
    totals = {m: sum(daily[m].values(), Decimal("0.00") if m == "revenue" else 0) for m in METRICS}
    totals["orders"] = len(all_orders)
    if note_id is not None:
        totals["followers"] = None
        daily["followers"] = defaultdict(lambda: None)
    return {"daily": daily, "per_note": per_note, "totals": totals, "days": sorted(window)}


def assert_matches_recount(stats, expected) -> None:
    assert stats.totals == expected["totals"]
    assert [day for day, _value in stats.series["views"]] == expected["days"]
    for metric in METRICS:
        zero = None if expected["totals"][metric] is None else 0
        assert [value for _day, value in stats.series[metric]] == [
            expected["daily"][metric].get(day, zero) for day in expected["days"]
        ], metric
    assert {row.note.pk for row in stats.notes} == set(expected["per_note"])
    for row in stats.notes:
        assert {m: getattr(row, m) for m in NOTE_METRICS} == expected["per_note"][row.note.pk], row.note.pk
    shown = [(row.views, row.note.pk) for row in stats.notes]
    assert shown == sorted(shown, reverse=True), "top notes come by views in the window, newest first on ties"


# --- the dataset ------------------------------------------------------------------------------------------------


def moments(now: dt.datetime) -> dict[str, dt.datetime]:
    """Instants that matter: inside the 7 days, only inside 30, outside both, right on each edge."""
    week, month = stats_window(days=7, now=now), stats_window(days=30, now=now)
    return {
        "just_now": now - dt.timedelta(minutes=5),
        "yesterday": now - dt.timedelta(days=1),
        "week_edge": week.start,  # first instant of the first day: counted
        "before_week": week.start - dt.timedelta(seconds=1),  # last instant before: 30 days only
        "ten_days": now - dt.timedelta(days=10),
        "month_edge": month.start,
        "before_month": month.start - dt.timedelta(seconds=1),
        "long_ago": now - dt.timedelta(days=90),
    }


def busy_writer(note_count: int, now: dt.datetime):
    """A writer with ``note_count`` notes, each with views, reactions, clicks and an order in both windows."""
    writer = UserFactory()
    readers = UserFactory.create_batch(3)
    today = local_day(now)
    for n in range(note_count):
        note = NoteFactory(author=writer, images=1)
        views(note, today, 10 + n)
        views(note, today - dt.timedelta(days=2), 5)
        for r, reader in enumerate(readers):
            when = now - dt.timedelta(days=r, minutes=n)
            like(reader, note, when)
            collect(reader, note, when)
            comment(reader, note, when)
            click(note, when, user=reader)
        order(readers[0], paid_at=now - dt.timedelta(hours=n), lines=[(ref(note), "10.00"), ("", "1.00")])
    for reader in readers:
        follow(reader, writer, now)
    return writer
