"""The personal feed at ``/``: personal, stable while scrolling, "not interested" at once, fixed queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note, Topic
from community.tests.factories import FeedNoteFactory, collect, like
from recs.models import ReaderPreference, RecsSwitch
from recs.selectors.feed import feed_for_you
from recs.tests.support import notes_of, page_ids

pytestmark = pytest.mark.django_db


def _old_reader(**kwargs):
    from django.utils import timezone

    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


def test_a_reader_who_collected_a_topic_gets_it_first():
    # given notes of two topics, travel hotter than skincare, and a reader who collected skincare
    travel = notes_of("旅行", 12, hot=9.0)
    skincare = notes_of("防晒", 12, hot=1.0)
    reader = _old_reader()
    collect(reader, skincare[0])
    collect(reader, skincare[1])
    # when they open the feed
    page = feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=10)
    ids = [n.pk for n in page.notes]
    # then skincare leads, the notes they collected are not shown again, and each card says why
    skincare_ids = {n.pk for n in skincare}
    assert ids[0] in skincare_ids
    assert sum(n in skincare_ids for n in ids) > sum(n in {t.pk for t in travel} for n in ids) - 4
    assert skincare[0].pk not in ids and skincare[1].pk not in ids
    source, text = page.page.extra["why"][ids[0]]
    assert source == "topic" and text == "Because you collected #防晒"


def test_scrolling_never_repeats_and_ends(client):
    notes_of("a", 30)
    reader = _old_reader()
    client.force_login(reader)
    seen, url = [], reverse("home")
    for _ in range(5):
        response = client.get(url)
        assert response.status_code == 200
        ids = page_ids(response)
        seen += ids
        if not response.context["next_url"]:
            break
        url = response.context["next_url"]
    assert len(seen) == len(set(seen)) == 30


def test_page_rules_two_per_writer_and_bounded_topic_share():
    writer = UserFactory()
    old = timedelta(days=3)  # past the exploration window: hot decides the order
    notes_of("a", 10, authors=[writer], hot=5.0, age=old)
    notes_of("b", 10, hot=1.0, age=old)
    notes_of("c", 10, hot=1.0, age=old)
    page = feed_for_you(viewer=None, reader="c:anon", size=10)
    authors = [n.author_id for n in page.notes]
    assert authors.count(writer.pk) == 2
    topic_a = Topic.objects.get(name="a")
    assert sum(topic_a.pk in set(n.topics.values_list("id", flat=True)) for n in page.notes) <= 4


def test_not_interested_applies_on_the_very_next_page(client):
    writer = UserFactory()
    mine = notes_of("猫", 6, authors=[writer], hot=9.0)
    notes_of("狗", 40, hot=1.0)
    reader = _old_reader()
    client.force_login(reader)
    first = client.get(reverse("home"))
    assert mine[0].pk in page_ids(first)
    # when the reader says "less from this writer" on one of the cards
    response = client.post(
        reverse("recs:hide", args=[mine[0].pk]), {"what": "writer"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 200
    assert ReaderPreference.objects.filter(user=reader, kind="hide_writer", target_id=writer.pk).exists()
    # then the next page has none of theirs
    following = client.get(first.context["next_url"])
    assert not set(page_ids(following)) & {n.pk for n in mine}
    # and a reload neither
    assert not set(page_ids(client.get(reverse("home")))) & {n.pk for n in mine}


def test_not_interested_in_a_topic_and_bad_choices(client):
    cats = notes_of("猫", 6, hot=9.0)
    notes_of("狗", 30, hot=1.0)
    reader = _old_reader()
    client.force_login(reader)
    assert client.post(reverse("recs:hide", args=[cats[0].pk]), {"what": "everything"}).status_code == 400
    assert not ReaderPreference.objects.exists()
    client.post(reverse("recs:hide", args=[cats[0].pk]), {"what": "topic"})
    ids = page_ids(client.get(reverse("home")))
    assert ids and not set(ids) & {n.pk for n in cats}


def test_hiding_a_private_note_is_refused(client):
    private = FeedNoteFactory(visibility=Note.Visibility.PRIVATE)
    client.force_login(_old_reader())
    assert client.post(reverse("recs:hide", args=[private.pk]), {"what": "writer"}).status_code == 404
    assert not ReaderPreference.objects.exists()


def test_sponsored_notes_rank_like_any_other():
    from recs.ranking import Candidate, blend

    ranked = blend([[Candidate(1, 1.0, "hot"), Candidate(2, 1.0, "hot")]])
    assert [c.score for c in ranked] == [ranked[0].score, ranked[0].score]


def test_the_switch_back_to_plain_hot(client):
    notes = notes_of("a", 5)
    RecsSwitch.objects.create(pk=1, plain_hot=True)
    response = client.get(reverse("home"))
    assert page_ids(response) == [n.pk for n in sorted(notes, key=lambda n: (-n.hot_score, -n.pk))]


@pytest.mark.parametrize("size", [5, 20])
def test_a_feed_page_costs_fixed_queries(client, django_assert_num_queries, size):
    notes_of("a", 40)
    notes_of("b", 40)
    reader = _old_reader()
    like(reader, Note.objects.first())
    client.force_login(reader)
    feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size)  # builds the candidate list
    # a page from the list: the switch with the engagement marker, the cards, the reader's likes and collects
    with django_assert_num_queries(3):
        page = feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size)
    assert len(page.notes) == size
    # a rebuild after an engagement costs the fixed build on top, whatever the size
    collect(reader, page.notes[0])
    with django_assert_num_queries(10):
        assert len(feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size).notes) == size


@pytest.mark.parametrize("size", [5, 20])
def test_the_api_feed_costs_fixed_queries(django_assert_num_queries, size):
    from rest_framework.test import APIClient

    notes_of("a", 40)
    notes_of("b", 40)
    reader = _old_reader()
    like(reader, Note.objects.first())
    api = APIClient()
    api.force_authenticate(reader)  # forced: only the feed's own queries are counted
    assert api.get(reverse("api-feed-for-you"), {"page_size": size}).status_code == 200  # builds the list
    # the switch with the engagement marker, the cards, the reader's likes and collects
    with django_assert_num_queries(3):
        body = api.get(reverse("api-feed-for-you"), {"page_size": size}).json()
    assert len(body["results"]) == size and all(r["why"]["source"] for r in body["results"])
    with django_assert_num_queries(3):  # the next page through its cursor: the same three
        more = api.get(reverse("api-feed-for-you"), {"page_size": size, "cursor": body["next_cursor"]}).json()
    assert len(more["results"]) == size
    assert not {r["id"] for r in more["results"]} & {r["id"] for r in body["results"]}


def test_anonymous_reader_is_personalised_by_what_they_open(client):
    notes_of("旅行", 20, hot=9.0, age=timedelta(days=3))
    cats = notes_of("猫", 20, hot=1.0, age=timedelta(days=3))
    first = client.get(reverse("home"))
    assert not set(page_ids(first)[:3]) & {n.pk for n in cats}
    client.get(reverse("recs:related", args=[cats[-1].pk]))
    client.get(reverse("recs:related", args=[cats[-2].pk]))
    again = page_ids(client.get(reverse("home")))
    assert again[0] in {n.pk for n in cats}


def test_a_reload_after_everything_was_seen_shows_the_notes_again_not_an_empty_page(client):
    """A small community: the first page shows every note the list holds; a reload (a new scroll, no
    cursor) must not come back empty because all of them were seen lately."""
    notes = notes_of("a", 6)
    client.force_login(_old_reader())
    first = page_ids(client.get(reverse("home")))
    assert set(first) == {n.pk for n in notes}
    again = page_ids(client.get(reverse("home")))
    assert sorted(again) == sorted(first)  # all of them again, none twice


def test_cookie_less_visitors_share_one_list_and_cost_no_build_each(client, django_assert_max_num_queries):
    """An attacker's client that drops its cookie is a new anonymous reader on every request: it must read
    the one shared list of readers without history, not make the site build and store a list per request."""
    from django.test import Client

    from recs import keys
    from recs.redis import client as recs_client

    notes_of("a", 8)
    assert page_ids(Client().get(reverse("home")))  # the first visitor builds the shared list
    redis = recs_client()
    before = set(redis.scan_iter(match=keys.candidates("*")))
    for _ in range(5):
        with django_assert_max_num_queries(4):
            response = Client().get(reverse("home"))  # no cookie: a new reader each time
        assert response.status_code == 200 and page_ids(response)
    assert (
        set(redis.scan_iter(match=keys.candidates("*")))
        == before
        == {keys.candidates(keys.SHARED_READER).encode()}
    )
