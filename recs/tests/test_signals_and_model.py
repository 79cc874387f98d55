"""Impressions batched in Redis and flushed; the model trained and swapped; related notes; the degraded
feed when Redis is down; the interest picker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Note
from community.tests.factories import FeedNoteFactory, collect, like
from recs import keys
from recs.models import NoteReach, ReaderPreference, RecsSwitch, SourceDaily
from recs.selectors.feed import feed_for_you
from recs.selectors.related import related_notes
from recs.services.signals import impressions_flush
from recs.services.training import model_current, model_forget, model_path, model_train
from recs.tests.support import notes_of, page_ids

pytestmark = pytest.mark.django_db


def test_impressions_are_counted_in_redis_and_flushed_in_one_go(redis_conn, django_assert_num_queries):
    notes_of("a", 12)
    page = feed_for_you(viewer=None, reader="c:one", size=10)
    assert not NoteReach.objects.exists()  # nothing written per card on the page
    assert len(redis_conn.hgetall(keys.impressions_pending())) == 10
    # the reach rows and the sources' day, one statement each (and the transaction's savepoint pair)
    with django_assert_num_queries(4):
        assert impressions_flush() == 10
    assert NoteReach.objects.filter(impressions=1).count() == 10
    assert sum(SourceDaily.objects.values_list("impressions", flat=True)) == 10
    explored = [n.pk for n in page.notes if page.page.extra["why"][n.pk][0] == "explore"]
    assert explored and NoteReach.objects.filter(note_id__in=explored, explore_impressions=1).count() == len(
        explored
    )
    assert impressions_flush() == 0  # nothing twice


def test_the_exploration_budget_stops_at_its_count(redis_conn):
    RecsSwitch.objects.create(pk=1, explore_budget=2)
    fresh = FeedNoteFactory(topics=["x"], hot_score=0.0)
    notes_of("y", 40, hot=5.0, age=timedelta(days=3))
    shown = 0
    for i in range(5):
        page = feed_for_you(viewer=None, reader=f"c:r{i}", size=10)
        shown += page.page.extra["why"].get(fresh.pk, ("", ""))[0] == "explore"
    # the budget's impressions stop at two (hot may still show it, on its own merit)
    assert shown == 2
    assert int(redis_conn.hget(keys.explore_shown(), str(fresh.pk))) == 2


def test_engaging_credits_the_source_that_showed_the_note(client):
    notes_of("a", 20, age=timedelta(days=3))
    reader = UserFactory(date_joined=timezone.now() - timedelta(days=9))
    client.force_login(reader)
    shown = page_ids(client.get(reverse("home")))
    like(reader, Note.objects.get(pk=shown[0]))
    client.get(reverse("home"))
    impressions_flush()
    assert sum(SourceDaily.objects.values_list("engagements", flat=True)) == 1


def test_the_feed_works_without_redis(settings, client):
    from django_redis import get_redis_connection

    notes_of("a", 12)
    pool = get_redis_connection("default").connection_pool
    saved = pool.connection_kwargs.copy()
    pool.disconnect()
    pool.connection_kwargs.update(port=1, socket_connect_timeout=0.1)
    try:
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert len(page_ids(response)) == 12
        assert response.context["notes"]
    finally:
        pool.disconnect()
        pool.connection_kwargs.clear()
        pool.connection_kwargs.update(saved)


def test_training_swaps_the_model_and_the_feed_uses_it():
    readers = [UserFactory() for _ in range(6)]
    a = notes_of("a", 6, age=timedelta(days=3))
    for reader in readers:
        for note in a[:4]:
            like(reader, note)
    assert model_current() is None
    figures = model_train()
    assert figures["interactions"] == 24 and model_path().exists()
    model_forget()
    model = model_current()
    assert model is not None and {n for n, _s in model.neighbours(a[0].pk)} == {n.pk for n in a[1:4]}
    # a reader who liked one of them is offered the rest by co-engagement
    newcomer = UserFactory(date_joined=timezone.now() - timedelta(days=9))
    collect(newcomer, a[0])
    page = feed_for_you(viewer=newcomer, reader=f"u:{newcomer.pk}", size=10)
    why = page.page.extra["why"]
    assert {n.pk for n in page.notes if why[n.pk][0] in ("co", "als", "topic")} >= {n.pk for n in a[1:4]}


def test_a_corrupt_model_file_means_no_model():
    path = model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a model")
    assert model_current() is None


def test_related_notes_fall_back_to_content_and_the_page_loads_them(client):
    note = FeedNoteFactory(title="防晒霜测评", topics=["防晒"])
    same_topic = notes_of("防晒", 3)
    other = FeedNoteFactory(title="猫粮", topics=["猫"])
    ids = [n.pk for n in related_notes(note=note, viewer=None).notes]
    assert set(ids) == {n.pk for n in same_topic} and other.pk not in ids
    page = client.get(reverse("community:note", args=[note.pk]))
    assert b'data-testid="note-related"' in page.content
    fragment = client.get(reverse("recs:related", args=[note.pk]))
    assert set(page_ids(fragment)) == set(ids)
    api = client.get(reverse("api-note-related", args=[note.pk]))
    assert {r["id"] for r in api.json()["results"]} == set(ids)


def test_the_api_feed_says_why(client):
    notes_of("a", 5)
    body = client.get(reverse("api-feed-for-you"), {"page_size": 3}).json()
    assert len(body["results"]) == 3 and all(r["why"]["text"] for r in body["results"])
    assert client.get(reverse("api-feed-for-you"), {"cursor": "forged"}).status_code == 400


def test_a_new_account_meets_the_picker_and_its_picks_lead(client):
    notes_of("旅行", 20, hot=9.0, age=timedelta(days=3))
    cats = notes_of("猫", 20, hot=1.0, age=timedelta(days=3))
    reader = UserFactory()
    client.force_login(reader)
    first = client.get(reverse("home"))
    assert b'data-testid="interests"' in first.content and page_ids(first)
    topic_id = cats[0].topics.get().pk
    assert client.post(reverse("recs:interests"), {"topics": ["x"]}).status_code == 400
    assert client.post(reverse("recs:interests"), {"topics": [999999]}).status_code == 400
    assert not ReaderPreference.objects.exists()
    response = client.post(reverse("recs:interests"), {"topics": [topic_id]})
    assert response.url == reverse("home")
    ids = page_ids(client.get(reverse("home")))
    assert ids[0] in {n.pk for n in cats}
    # the picker's own page shows the pick, for changing it later
    assert f'value="{topic_id}" checked'.encode() in client.get(reverse("recs:interests")).content


def test_the_picker_is_for_signed_in_readers(client):
    response = client.post(reverse("recs:interests"), {"skip": "1"})
    assert response.status_code == 302 and "login" in response.url
    assert not ReaderPreference.objects.exists()


def test_skipping_the_picker(client):
    reader = UserFactory()
    client.force_login(reader)
    client.post(reverse("recs:interests"), {"skip": "1"})
    assert b'data-testid="interests"' not in client.get(reverse("home")).content


def test_the_switch_is_one_row_its_list_opens_its_form_and_the_admin_sidebar_asks_nothing(admin_client):

    response = admin_client.get("/admin/recs/recsswitch/")
    assert response.status_code == 302 and response.url == "/admin/recs/recsswitch/1/change/"
    assert admin_client.get("/admin/recs/recsswitch/add/").status_code == 403
    response = admin_client.post(response.url, {"plain_hot": "on", "explore_budget": "30"})
    assert response.status_code == 302
    assert RecsSwitch.objects.get().plain_hot is True and RecsSwitch.objects.count() == 1
