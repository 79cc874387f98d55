"""Creator statistics equal what a plain Python recount of the raw rows says, for 7 and 30 days, with a
varied dataset: several writers, activity inside, outside and on the edge of the windows, the writer's own
comments, orders in counted and uncounted states, referrals to other writers' notes, lines without one."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Collect, Comment, Follow, Like, Note, NoteDailyViews, ProductCardClick
from community.selectors.creator_stats import (
    METRICS,
    NOTE_METRICS,
    StatsWindowInvalid,
    creator_stats,
    stats_note_id,
    stats_window,
    stats_window_days,
)
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory
from core.errors import NotFound
from mall.models import Order, OrderLine
from mall.tests.factories import SkuFactory, WarehouseFactory

_serial = itertools.count(1)
# Written out here rather than imported: the recount must not share the selector's rules.
UNCOUNTED = {"cancelled", "refund_due", "customs_rejected", "refunded", "returned"}


# --- building rows (shared with the API and browser tests) --------------------------------------------------


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
    total = sum((Decimal(amount) for _ref, amount in lines), Decimal("0.00"))
    serial = next(_serial)
    created = Order.objects.create(
        number=f"T{serial:010d}",
        user=buyer,
        state=state,
        idempotency_key=f"stats-{serial}",
        subtotal=total,
        tax_total=Decimal("0.00"),
        total=total,
        payment_deadline=timezone.now() + dt.timedelta(minutes=30),
        paid_at=paid_at,
    )
    sku, warehouse = _sku(), WarehouseFactory()
    for referral, amount in lines:
        OrderLine.objects.create(
            order=created,
            sku=sku,
            warehouse=warehouse,
            product_name=sku.product.name,
            sku_name=sku.name,
            sku_code=sku.code,
            unit_price=Decimal(amount),
            quantity=1,
            tax_rate=Decimal("0"),
            tax_amount=Decimal("0.00"),
            line_total=Decimal(amount),
            referral=referral,
        )
    return created


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


@pytest.fixture
def world():
    """Two writers, a quiet writer, four readers and a heap of activity in and around the windows."""
    now = timezone.now()
    at = moments(now)
    writer, other, quiet = UserFactory(), UserFactory(), UserFactory()
    readers = UserFactory.create_batch(4)
    notes = [NoteFactory(author=writer, images=0) for _ in range(3)]
    notes.append(NoteFactory(author=writer, images=0, visibility=Note.Visibility.PRIVATE))
    theirs = [NoteFactory(author=other, images=0) for _ in range(2)]
    NoteFactory(author=quiet, images=0)
    everything = notes + theirs
    times = list(at.values())
    today = local_day(now)

    # Views: on days inside, on the edges, and outside, for both writers.
    for i, note in enumerate(everything):
        for back in (0, 1, 6, 7, 29, 30, 45):
            views(note, today - dt.timedelta(days=back), 3 + i * 7 + back)

    for i, (reader, note) in enumerate(itertools.product(readers, everything)):
        when = times[i % len(times)]
        like(reader, note, when)
        if i % 2 == 0:
            collect(reader, note, times[(i + 3) % len(times)])
        top = comment(reader, note, times[(i + 1) % len(times)])
        if i % 3 == 0:
            # The writer answering under their own note: not counted. A reader's reply: counted.
            comment(note.author, note, times[(i + 2) % len(times)], parent=top)
            comment(readers[(i + 1) % 4], note, times[(i + 4) % len(times)], parent=top)
        click(note, times[(i + 5) % len(times)], user=reader if i % 2 else None)

    # The writer likes and collects a note of their own: their notes, counted like anyone's.
    like(writer, notes[0], at["yesterday"])
    for i, reader in enumerate(readers):
        follow(reader, writer, times[i * 2 % len(times)])
        follow(reader, other, at["just_now"])
    follow(writer, other, at["yesterday"])  # the writer following someone is not a new follower of theirs

    counted = [Order.State.PAID, Order.State.DELIVERED, Order.State.RETURN_REQUESTED, Order.State.COMPLETED]
    buyers = itertools.cycle(readers)
    # Counted orders, one note each, at every instant.
    for i, when in enumerate(times):
        order(next(buyers), paid_at=when, state=counted[i % 4], lines=[(ref(notes[i % 3]), f"{99 + i}.50")])
    # One order naming two of the writer's notes, a flash sale and nothing: once in the totals, once per
    # note in the table, revenue only from the writer's lines.
    order(
        next(buyers),
        paid_at=at["yesterday"],
        state=Order.State.SHIPPED,
        lines=[
            (ref(notes[0]), "120.00"),
            (ref(notes[1]), "80.25"),
            (ref(notes[1]), "19.75"),
            ("flashsale:7", "49.00"),
            ("", "10.00"),
        ],
    )
    # Not counted: states that are no longer a sale, unpaid, other writers', malformed referrals.
    for state in sorted(UNCOUNTED):
        order(next(buyers), paid_at=at["yesterday"], state=state, lines=[(ref(notes[0]), "500.00")])
    order(next(buyers), paid_at=None, state=Order.State.PENDING_PAYMENT, lines=[(ref(notes[0]), "700.00")])
    order(next(buyers), paid_at=at["just_now"], lines=[(ref(theirs[0]), "300.00"), ("", "5.00")])
    order(
        next(buyers), paid_at=at["just_now"], lines=[("note:abc", "1.00"), (f"note:{notes[0].pk}0", "2.00")]
    )
    return {"now": now, "writer": writer, "other": other, "quiet": quiet, "notes": notes, "readers": readers}


# --- tests ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_every_figure_equals_a_recount_of_the_raw_rows(world, days):
    for who in ("writer", "other"):
        stats = creator_stats(user=world[who], days=days, now=world["now"])
        expected = recount(world[who], days=days, now=world["now"])

        assert stats.has_notes
        assert_matches_recount(stats, expected)


@pytest.mark.django_db
def test_the_dataset_exercises_every_rule(world):
    """Guard the oracle: the dataset really has rows on both sides of every rule, so equality means much."""
    writer, now = world["writer"], world["now"]
    week, month = (recount(writer, days=d, now=now) for d in (7, 30))
    for metric in METRICS:
        assert week["totals"][metric] > 0, metric
        assert month["totals"][metric] > week["totals"][metric], metric
    assert Comment.objects.filter(author=writer, note__author=writer).exists()
    assert (
        OrderLine.objects.filter(referral__startswith="note:")
        .exclude(order__state__in=UNCOUNTED)
        .exclude(referral__in=[ref(n) for n in world["notes"]])
        .exists()
    )
    # The two-note order: counted once in total, once in each note's row.
    stats = creator_stats(user=writer, days=7, now=now)
    assert stats.totals["orders"] < sum(row.orders for row in stats.notes)


@pytest.mark.django_db
def test_the_window_edges_are_the_sites_midnights(world):
    writer, now = world["writer"], world["now"]
    reader = UserFactory()
    note = world["notes"][0]
    week = stats_window(days=7, now=now)
    before = creator_stats(user=writer, days=7, now=now)

    like(reader, note, week.start)  # counted
    collect(reader, note, week.start - dt.timedelta(microseconds=1))  # the day before: not in 7 days
    after = creator_stats(user=writer, days=7, now=now)

    assert after.totals["likes"] == before.totals["likes"] + 1
    assert after.series["likes"][0][1] == before.series["likes"][0][1] + 1
    assert after.totals["collects"] == before.totals["collects"]
    assert week.start.utcoffset() == dt.timedelta(hours=8)  # Asia/Shanghai midnight, 16:00 UTC the day before


@pytest.mark.django_db
def test_other_writers_activity_never_leaks_in(world):
    quiet = world["quiet"]

    stats = creator_stats(user=quiet, days=30, now=world["now"])

    assert stats.has_notes
    assert all(value == 0 for value in stats.totals.values())
    assert stats.totals["revenue"] == Decimal("0.00")
    assert [row.views for row in stats.notes] == [0]
    assert all(value == 0 for _day, value in stats.series["likes"])


@pytest.mark.django_db
def test_a_writer_without_notes_gets_an_empty_state_in_one_query(django_assert_num_queries):
    user = UserFactory()
    other_note = NoteFactory(images=0)
    follow(UserFactory(), user, timezone.now())  # followers alone don't make statistics
    like(UserFactory(), other_note, timezone.now())

    with django_assert_num_queries(1):
        stats = creator_stats(user=user, days=7)

    assert stats.has_notes is False
    assert stats.notes == []
    assert len(stats.series["views"]) == 7
    assert all(v == 0 for v in stats.totals.values())


def _busy_writer(note_count: int, now: dt.datetime):
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


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_a_fixed_number_of_queries_for_one_note_or_eight(django_assert_num_queries, days):
    now = timezone.now()
    small, big = _busy_writer(1, now), _busy_writer(8, now)

    # The per-note table, views, likes, collects, comments, followers, card clicks, orders with revenue.
    with django_assert_num_queries(8):
        one = creator_stats(user=small, days=days, now=now)
    with django_assert_num_queries(8):
        eight = creator_stats(user=big, days=days, now=now)

    assert len(one.notes) == 1 and len(eight.notes) == 8
    assert eight.totals["likes"] == 24 and eight.totals["orders"] == 8
    assert eight.totals["revenue"] == Decimal("80.00")
    with django_assert_num_queries(0):
        assert all(row.note.cover.feed for row in eight.notes)  # covers come with the notes
    assert eight.notes[0].views == 10 + 7 + 5  # the newest note has the most views


@pytest.mark.django_db
def test_the_table_keeps_the_top_notes_only(django_assert_num_queries):
    from community.selectors.creator_stats import TOP_NOTES

    now = timezone.now()
    writer = UserFactory()
    notes = [NoteFactory(author=writer, images=0) for _ in range(TOP_NOTES + 2)]
    for i, note in enumerate(notes):
        views(note, local_day(now), 100 - i)

    stats = creator_stats(user=writer, days=7, now=now)

    assert [row.note.pk for row in stats.notes] == [n.pk for n in notes[:TOP_NOTES]]
    assert stats.totals["views"] == sum(100 - i for i in range(TOP_NOTES + 2))  # totals cover every note


@pytest.mark.parametrize("raw", [None, "", "7", "30"])
def test_the_window_is_7_or_30_days(raw):
    assert stats_window_days(raw) == (int(raw) if raw else 7)


@pytest.mark.parametrize("raw", ["14", "0", "-7", "7.0", "seven", "1e3", "30 ", ["7"]])
def test_any_other_window_is_refused_clearly(raw):
    with pytest.raises(StatsWindowInvalid) as error:
        stats_window_days(raw)
    assert error.value.status_code == 400
    assert "7 or 30" in error.value.message


# --- one note --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_one_notes_figures_equal_a_recount_of_its_rows(world, days):
    writer, now = world["writer"], world["now"]
    for note in world["notes"]:
        stats = creator_stats(user=writer, days=days, note_id=note.pk, now=now)
        expected = recount(writer, days=days, now=now, note_id=note.pk)

        assert stats.note == note
        assert stats.metrics == NOTE_METRICS
        assert stats.totals["followers"] is None
        assert_matches_recount(stats, expected)
        assert {m: stats.totals[m] for m in NOTE_METRICS} == expected["per_note"][note.pk]


@pytest.mark.django_db
def test_another_writers_note_or_a_missing_one_is_not_found(world, django_assert_num_queries):
    theirs = NoteFactory(author=world["other"], images=0)
    gone = NoteFactory(author=world["writer"], images=0)
    gone_id = gone.pk
    gone.delete()

    for note_id in (theirs.pk, gone_id, 2**62):
        with django_assert_num_queries(1), pytest.raises(NotFound) as error:
            creator_stats(user=world["writer"], days=7, note_id=note_id)
        assert error.value.status_code == 404


@pytest.mark.django_db
def test_one_note_takes_a_fixed_number_of_queries(django_assert_num_queries):
    now = timezone.now()
    writer = _busy_writer(8, now)
    note = writer.notes.order_by("id").first()

    # The note (proving it is the writer's), views, likes, collects, comments, clicks, orders with revenue.
    with django_assert_num_queries(7):
        stats = creator_stats(user=writer, days=30, note_id=note.pk, now=now)

    assert stats.totals["likes"] == 3 and stats.totals["orders"] == 1


@pytest.mark.parametrize("raw", ["12", "1"])
def test_a_note_id_is_read_from_digits(raw):
    assert stats_note_id(raw) == int(raw)
    assert stats_note_id(None) is None and stats_note_id("") is None


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "１２", "9" * 40, ["1"]])
def test_anything_else_as_a_note_finds_nothing(raw):
    with pytest.raises(NotFound):
        stats_note_id(raw)
