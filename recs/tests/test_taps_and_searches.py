"""Card taps and searches as signals, and the words source: taps recorded with the open (deduped, capped,
flushed in one statement), search words kept bounded, both read by the next build at no extra query."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Note
from community.search_listeners import register_search_listener, unregister_search_listener
from community.services.search import notes_search_reindex
from community.tests.factories import FeedNoteFactory, collect
from core.visitor import Visitor
from recs import keys
from recs.models import SourceDaily, TapDaily
from recs.ranking import interest_words, note_words
from recs.selectors.feed import feed_for_you
from recs.services import signals
from recs.services.signals import impressions_flush, note_open_record, search_record
from recs.tests.support import notes_of, page_ids

pytestmark = pytest.mark.django_db


def _old_reader(**kwargs):
    return UserFactory(date_joined=timezone.now() - timedelta(days=30), **kwargs)


def _taps(redis_conn) -> dict[str, int]:
    return {
        k.decode(): int(v)
        for k, v in redis_conn.hgetall(keys.impressions_pending()).items()
        if k.startswith(b"t:")
    }


# --- card taps ------------------------------------------------------------------------------------------


def test_a_tap_on_a_for_you_card_is_counted_once_with_its_source_and_flushed(client, redis_conn):
    notes_of("a", 12, age=timedelta(days=3))
    reader = _old_reader()
    client.force_login(reader)
    home = client.get(reverse("home"))
    tapped = page_ids(home)[0]
    source = redis_conn.hget(keys.shown_source(f"u:{reader.pk}"), str(tapped)).decode()
    assert 'data-tap-from="foryou"' in home.content.decode()
    # when the reader taps its card: the note page hands ?from= on to "more like this"
    page = client.get(reverse("community:note", args=[tapped]), {"from": "foryou"})
    assert f"{reverse('recs:related', args=[tapped])}?from=foryou" in page.content.decode()
    for _ in range(3):  # the fragment loaded again (a reload, a script): nothing more
        assert client.get(reverse("recs:related", args=[tapped]), {"from": "foryou"}).status_code == 200
    # then one tap, credited to the source that showed it, one engagement, one open in the interests
    assert _taps(redis_conn) == {f"t:foryou:{source}": 1}
    assert redis_conn.zscore(keys.opens(f"u:{reader.pk}"), str(tapped)) is not None
    impressions_flush()
    day = timezone.localdate()
    assert list(TapDaily.objects.values_list("day", "surface", "source", "taps")) == [
        (day, "foryou", source, 1)
    ]
    assert SourceDaily.objects.get(source=source).engagements == 1
    assert _taps(redis_conn) == {}


def test_a_tap_from_another_surface_has_no_source_and_an_unknown_from_is_an_open_only(client, redis_conn):
    note, other = notes_of("a", 2)
    client.force_login(_old_reader())
    assert client.get(reverse("recs:related", args=[note.pk]), {"from": "search"}).status_code == 200
    response = client.get(reverse("recs:related", args=[other.pk]), {"from": "x" * 5000})
    assert response.status_code == 200 and page_ids(response) == [note.pk]
    assert _taps(redis_conn) == {"t:search:-": 1}
    # the forged surface is not echoed into the note page either, beyond a short escaped slice
    page = client.get(reverse("community:note", args=[note.pk]), {"from": '"><script>x</script>'})
    assert "<script>x" not in page.content.decode()


def test_the_same_note_opened_again_after_the_window_counts_again():
    note = FeedNoteFactory()
    who = Visitor("u:77", "10.0.0.1", True)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert note_open_record(who=who, note_id=note.pk, surface="topic") == 2
        assert note_open_record(who=who, note_id=note.pk, surface="topic") == 0
        clock.shift(timedelta(seconds=signals.OPEN_DEDUPE_SECONDS + 1))
        assert note_open_record(who=who, note_id=note.pk, surface="topic") == 2


def test_a_tapping_script_is_capped_per_reader_and_its_opens_stay_bounded(redis_conn, monkeypatch):
    monkeypatch.setattr(signals, "TAPS_PER_READER_DAY", 5)
    monkeypatch.setattr(signals, "OPENS_MAX", 4)
    notes = notes_of("a", 9)
    who = Visitor("u:9", "10.0.0.1", True)
    results = [note_open_record(who=who, note_id=n.pk, surface="topic") for n in notes]
    assert results == [2] * 5 + [1] * 4  # past the cap the opens still count, the taps do not
    assert _taps(redis_conn) == {"t:topic:-": 5}
    assert redis_conn.zcard(keys.opens(who.key)) == 4
    assert redis_conn.ttl(keys.taps_today(who.key)) > 0 and redis_conn.ttl(keys.opens(who.key)) > 0


def test_cookies_rotated_from_one_address_buy_a_handful_of_taps(settings, redis_conn):
    note = FeedNoteFactory()
    for i in range(20):
        note_open_record(who=Visitor(f"c:rotated{i}", "203.0.113.9", False), note_id=note.pk, surface="topic")
    assert _taps(redis_conn) == {"t:topic:-": settings.VISITOR_ANONYMOUS_PER_ADDRESS}
    note_open_record(who=Visitor("c:elsewhere", "198.51.100.1", False), note_id=note.pk, surface="topic")
    assert _taps(redis_conn) == {"t:topic:-": settings.VISITOR_ANONYMOUS_PER_ADDRESS + 1}


def test_a_malformed_tap_field_is_skipped_by_the_flush(redis_conn):
    redis_conn.hset(keys.impressions_pending(), mapping={"t:nosource": 3, "t:hot:-": 2})
    impressions_flush()
    assert list(TapDaily.objects.values_list("surface", "source", "taps")) == [("hot", "-", 2)]


def test_the_note_page_and_its_fragment_cost_the_same_queries_with_a_tap(client, django_assert_num_queries):
    note = notes_of("a", 3)[0]
    client.force_login(_old_reader())
    client.get(reverse("community:note", args=[note.pk]))  # warm the per-process caches
    with django_assert_num_queries(5):
        client.get(reverse("community:note", args=[note.pk]))
    with django_assert_num_queries(5):
        client.get(reverse("community:note", args=[note.pk]), {"from": "foryou"})
    with django_assert_num_queries(6):
        client.get(reverse("recs:related", args=[note.pk]))
    with django_assert_num_queries(6):
        client.get(reverse("recs:related", args=[note.pk]), {"from": "foryou"})


# --- searches -------------------------------------------------------------------------------------------


def test_a_search_becomes_interest_and_the_next_page_leads_with_it(client, redis_conn):
    notes_of("旅行", 15, hot=9.0, age=timedelta(days=3))
    sunscreen = [
        FeedNoteFactory(
            title=f"防晒霜{i}号", body="夏天", topics=["护肤"], hot_score=0.5, age=timedelta(days=3)
        )
        for i in range(4)
    ]
    notes_search_reindex()
    reader = _old_reader()
    client.force_login(reader)
    assert not set(page_ids(client.get(reverse("home")))[:3]) & {n.pk for n in sunscreen}
    # when the reader searches (filler words are no interest)
    assert client.get(reverse("community:search"), {"q": "防晒霜 推荐"}).status_code == 200
    assert [w.decode() for w in redis_conn.zrange(keys.searches(f"u:{reader.pk}"), 0, -1)] == ["防晒霜"]
    # then the very next page leads with it, and says why
    page = feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=10)
    first = page.notes[0].pk
    assert first in {n.pk for n in sunscreen}
    assert page.page.extra["why"][first] == ("words", "Because you searched “防晒霜”")


def test_searching_a_thousand_times_keeps_a_bounded_deduplicated_list(redis_conn):
    who = Visitor("u:5", "10.0.0.1", True)
    for _ in range(200):
        search_record(who=who, query="露营")
    assert redis_conn.zcard(keys.searches(who.key)) == 1
    for i in range(200):
        search_record(who=who, query=f"a{i}x b{i}x c{i}x d{i}x e{i}x f{i}x g{i}x")
    assert redis_conn.zcard(keys.searches(who.key)) == signals.SEARCH_WORDS_MAX
    assert 0 < redis_conn.ttl(keys.searches(who.key)) <= signals.SEARCH_KEYS_SECONDS
    # one search gives at most a few words, and a 10 KB query is cut like any search box's
    assert len(search_record(who=Visitor("u:6", "", True), query="甲乙 " * 5000)) <= 1
    assert len(search_record(who=who, query=" ".join(f"w{i}x" for i in range(50)))) == 5


def test_a_reader_known_only_by_address_is_nobodys_profile(redis_conn):
    assert search_record(who=Visitor("a:203.0.113.9", "203.0.113.9", False), query="露营") == []
    assert not list(redis_conn.scan_iter(match=keys.searches("*")))
    assert search_record(who=Visitor("c:abc", "203.0.113.9", False), query="露营") == ["露营"]


def test_a_client_that_drops_its_cookie_leaves_no_key_per_request(redis_conn):
    note = notes_of("a", 2)[0]
    for _ in range(5):  # a new client each time: no cookie, a new visitor on every request
        assert Client().get(reverse("community:search"), {"q": "露营"}).status_code == 200
        assert Client().get(reverse("recs:related", args=[note.pk]), {"from": "search"}).status_code == 200
    assert not list(redis_conn.scan_iter(match=keys.searches("*")))
    assert not list(redis_conn.scan_iter(match=keys.opens("*")))
    assert _taps(redis_conn) == {}
    # a browser brings its cookie back: from its second request on, it is a session reader
    browser = Client()
    browser.get(reverse("home"))
    browser.get(reverse("community:search"), {"q": "露营"})
    browser.get(reverse("recs:related", args=[note.pk]), {"from": "search"})
    assert len(list(redis_conn.scan_iter(match=keys.searches("*")))) == 1
    assert _taps(redis_conn) == {"t:search:-": 1}


def test_the_api_search_is_heard_once_per_search_not_per_page(client, redis_conn):
    for i in range(4):
        FeedNoteFactory(title=f"露营{i}")
    notes_search_reindex()
    reader = _old_reader()
    client.force_login(reader)
    body = client.get(reverse("api-search-notes"), {"q": "露营", "page_size": 2}).json()
    assert redis_conn.zcard(keys.searches(f"u:{reader.pk}")) == 1
    redis_conn.delete(keys.searches(f"u:{reader.pk}"))
    assert client.get(body["next"]).status_code == 200
    assert redis_conn.zcard(keys.searches(f"u:{reader.pk}")) == 0


def test_hearing_a_search_costs_the_search_page_no_query(client, django_assert_num_queries):
    FeedNoteFactory(title="露营")
    notes_search_reindex()
    client.force_login(_old_reader())
    client.get(reverse("community:search"), {"q": "露营"})  # warm the per-process caches
    unregister_search_listener(search_record)
    try:
        with django_assert_num_queries(6):
            client.get(reverse("community:search"), {"q": "露营"})
    finally:
        register_search_listener(search_record)
    with django_assert_num_queries(6):
        client.get(reverse("community:search"), {"q": "露营"})


def test_a_failing_listener_never_costs_the_reader_their_results(client):
    FeedNoteFactory(title="露营")
    notes_search_reindex()

    def broken(*, who, query):
        raise RuntimeError("listener bug")

    register_search_listener(broken)
    try:
        response = client.get(reverse("community:search"), {"q": "露营"})
    finally:
        unregister_search_listener(broken)
    assert response.status_code == 200 and page_ids(response)


# --- the words source -----------------------------------------------------------------------------------


def test_interest_words_are_jieba_words_without_filler():
    assert interest_words("大理古城旅行攻略分享") == ("大理", "古城", "旅行")
    assert interest_words("CeraVe 2024 a 面霜") == ("cerave", "面霜")
    # a word the note's topics already say is the topic source's, not the words source's
    assert note_words("大理古城旅行攻略", ["旅行攻略", "古镇"]) == ("大理", "古城")
    assert note_words("CeraVe面霜", ["CeraVe"]) == ("面霜",)


def test_the_words_of_what_a_reader_collected_propose_notes_of_other_topics():
    # given notes about 大理 in a topic the reader never engaged with, and hotter notes elsewhere
    notes_of("美食", 20, hot=9.0, age=timedelta(days=3))
    dali = [
        FeedNoteFactory(title=f"大理洱海第{i}天", topics=["摄影"], hot_score=0.1, age=timedelta(days=3))
        for i in range(3)
    ]
    liked = FeedNoteFactory(title="大理古城", topics=["旅行"], age=timedelta(days=3))
    notes_search_reindex()
    reader = _old_reader()
    collect(reader, liked)
    page = feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=10)
    why = page.page.extra["why"]
    proposed = {n.pk for n in page.notes if why[n.pk][0] == "words"}
    assert proposed == {n.pk for n in dali}
    assert {why[n][1] for n in proposed} == {"Because you read about “大理”"}
    assert liked.pk not in why


@pytest.mark.parametrize("size", [5, 20])
def test_a_rebuild_after_a_search_or_a_tap_costs_the_same_fixed_queries(
    client, django_assert_num_queries, size, redis_conn
):
    notes_of("a", 40)
    notes_of("露营", 30)
    notes_search_reindex()
    reader = _old_reader()
    collect(reader, Note.objects.first())
    feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size)
    search_record(who=Visitor(f"u:{reader.pk}", "", True), query="露营")
    # the search moves the list on: the fixed build (words ride in the topic query), whatever the size
    with django_assert_num_queries(10):
        assert len(feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size).notes) == size
    with django_assert_num_queries(3):
        assert len(feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size).notes) == size
    note_open_record(
        who=Visitor(f"u:{reader.pk}", "", True), note_id=Note.objects.last().pk, surface="foryou"
    )
    with django_assert_num_queries(10):
        assert len(feed_for_you(viewer=reader, reader=f"u:{reader.pk}", size=size).notes) == size


def test_the_operators_see_taps_by_surface_and_source(admin_client):
    TapDaily.objects.create(day=timezone.localdate(), surface="foryou", source="words", taps=7)
    response = admin_client.get(reverse("admin:recs_tapdaily_changelist"))
    assert response.status_code == 200
    assert b"foryou" in response.content and b"words" in response.content
    assert admin_client.get(reverse("admin:recs_tapdaily_add")).status_code == 403
