"""``seed_demo`` beside somebody else's data: the demo writes only for what it made. Run against a database
that already holds other people's notes (the benchmark's 200k notes once drew 73 million daily-views rows
and PostgreSQL was killed for memory), their statistics, clicks, likes and follows stay exactly as they were.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Comment, Follow, Like, Note, NoteDailyViews, ProductCardClick
from community.tests.factories import NoteFactory
from demo.seed import community
from mall.models import Order

pytestmark = pytest.mark.django_db(transaction=True)


def others_notes():
    """Two notes of somebody else's, posted long ago and much read; one already has its statistics."""
    outsider = UserFactory(username="outsider")
    long_ago = timezone.now() - timedelta(days=400)
    quiet, counted = NoteFactory(author=outsider, images=0), NoteFactory(author=outsider, images=0)
    Note.objects.filter(pk__in=[quiet.pk, counted.pk]).update(created_at=long_ago, view_count=100_000)
    NoteDailyViews.objects.create(note=counted, day=timezone.localdate() - timedelta(days=3), views=7)
    return outsider, quiet, counted


def snapshot(outsider, notes) -> dict:
    return {
        "daily_views": list(NoteDailyViews.objects.filter(note__in=notes).order_by("pk").values()),
        "clicks": ProductCardClick.objects.filter(note__in=notes).count(),
        "likes": Like.objects.filter(note__in=notes).count(),
        "comments": Comment.objects.filter(note__in=notes).count(),
        "follows": Follow.objects.filter(follower=outsider).count()
        + Follow.objects.filter(followee=outsider).count(),
        "orders": Order.objects.filter(user=outsider).count(),
        "notes": list(Note.objects.filter(pk__in=[n.pk for n in notes]).order_by("pk").values()),
    }


def test_seed_demo_leaves_other_notes_and_their_statistics_alone(monkeypatch):
    # Given somebody else's notes, one with statistics already (a slice of the demo keeps the test quick)
    monkeypatch.setattr(community, "NOTES", community.NOTES[:4])
    outsider, quiet, counted = others_notes()
    before = snapshot(outsider, [quiet, counted])

    # When the demo is seeded, twice
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    # Then their rows are exactly as they were, and the demo's own notes got their statistics
    assert snapshot(outsider, [quiet, counted]) == before
    demo_ids = [n.pk for n in community.demo_notes().values()]
    assert len(demo_ids) == 4
    assert set(NoteDailyViews.objects.values_list("note_id", flat=True)) == {*demo_ids, counted.pk}
