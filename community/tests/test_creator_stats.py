"""Creator statistics equal what a plain Python recount of the raw rows says, for 7 and 30 days, with a
varied dataset: several writers, activity inside, outside and on the edge of the windows, the writer's own
comments, orders in counted and uncounted states, referrals to other writers' notes, lines without one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Comment
from community.selectors.creator_stats import (
    METRICS,
    NOTE_METRICS,
    StatsWindowInvalid,
    creator_stats,
    stats_note_id,
    stats_window,
    stats_window_days,
)
from community.tests.factories import NoteFactory
from community.tests.support.stats import (
    UNCOUNTED,
    assert_matches_recount,
    busy_writer,
    collect,
    follow,
    like,
    local_day,
    recount,
    ref,
    views,
)
from core.errors import NotFound
from mall.models import OrderLine

# --- tests ------------------------------------------------------------------------------------------------------


@pytest.mark.clocks
@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_every_figure_equals_a_recount_of_the_raw_rows(stats_world, days):
    for who in ("writer", "other"):
        stats = creator_stats(user=stats_world[who], days=days, now=stats_world["now"])
        expected = recount(stats_world[who], days=days, now=stats_world["now"])

        assert stats.has_notes
        assert_matches_recount(stats, expected)


@pytest.mark.django_db
def test_the_dataset_exercises_every_rule(stats_world):
    """Guard the oracle: the dataset really has rows on both sides of every rule, so equality means much."""
    writer, now = stats_world["writer"], stats_world["now"]
    week, month = (recount(writer, days=d, now=now) for d in (7, 30))
    for metric in METRICS:
        assert week["totals"][metric] > 0, metric
        assert month["totals"][metric] > week["totals"][metric], metric
    assert Comment.objects.filter(author=writer, note__author=writer).exists()
    assert (
        OrderLine.objects.filter(referral__startswith="note:")
        .exclude(order__state__in=UNCOUNTED)
        .exclude(referral__in=[ref(n) for n in stats_world["notes"]])
        .exists()
    )
    # The two-note order: counted once in total, once in each note's row.
    stats = creator_stats(user=writer, days=7, now=now)
    assert stats.totals["orders"] < sum(row.orders for row in stats.notes)


@pytest.mark.clocks
@pytest.mark.django_db
def test_the_window_edges_are_the_sites_midnights(stats_world):
    writer, now = stats_world["writer"], stats_world["now"]
    reader = UserFactory()
    note = stats_world["notes"][0]
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
def test_other_writers_activity_never_leaks_in(stats_world):
    quiet = stats_world["quiet"]

    stats = creator_stats(user=quiet, days=30, now=stats_world["now"])

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


@pytest.mark.django_db
@pytest.mark.parametrize("days", [7, 30])
def test_a_fixed_number_of_queries_for_one_note_or_eight(django_assert_num_queries, days):
    now = timezone.now()
    small, big = busy_writer(1, now), busy_writer(8, now)

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
def test_one_notes_figures_equal_a_recount_of_its_rows(stats_world, days):
    writer, now = stats_world["writer"], stats_world["now"]
    for note in stats_world["notes"]:
        stats = creator_stats(user=writer, days=days, note_id=note.pk, now=now)
        expected = recount(writer, days=days, now=now, note_id=note.pk)

        assert stats.note == note
        assert stats.metrics == NOTE_METRICS
        assert stats.totals["followers"] is None
        assert_matches_recount(stats, expected)
        assert {m: stats.totals[m] for m in NOTE_METRICS} == expected["per_note"][note.pk]


@pytest.mark.django_db
def test_another_writers_note_or_a_missing_one_is_not_found(stats_world, django_assert_num_queries):
    theirs = NoteFactory(author=stats_world["other"], images=0)
    gone = NoteFactory(author=stats_world["writer"], images=0)
    gone_id = gone.pk
    gone.delete()

    for note_id in (theirs.pk, gone_id, 2**62):
        with django_assert_num_queries(1), pytest.raises(NotFound) as error:
            creator_stats(user=stats_world["writer"], days=7, note_id=note_id)
        assert error.value.status_code == 404


@pytest.mark.django_db
def test_one_note_takes_a_fixed_number_of_queries(django_assert_num_queries):
    now = timezone.now()
    writer = busy_writer(8, now)
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
