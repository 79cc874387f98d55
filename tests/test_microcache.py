"""Micro-caching of pages for readers without a session (core/microcache.py): who gets a cached page,
that it never carries another visitor's token or cookie, that nothing signed in lands in it, and that a
flood of URLs cannot fill memory or push the first pages out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.tests.factories import FeedNoteFactory
from core import microcache
from core.visitor import COOKIE as VISITOR_COOKIE
from recs import keys
from recs.redis import client as recs_client
from recs.tests.support import notes_of, page_ids

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]+)"')
SECRET_A = "a" * 32
SECRET_B = "b" * 32


@pytest.fixture(autouse=True)
def _microcache_on(settings):
    settings.MICROCACHE_SECONDS = 30
    microcache.microcache_clear()
    yield
    microcache.microcache_clear()


@pytest.fixture
def clock(monkeypatch):
    """The micro-cache's clock, moved by hand (entries expire by ``time.monotonic``)."""
    now = [1000.0]
    monkeypatch.setattr(microcache.time, "monotonic", lambda: now[0])
    return now


def visitor(csrf_secret: str | None = None) -> Client:
    """A browser's first request: no cookie at all, or only a CSRF cookie."""
    client = Client()
    if csrf_secret:
        client.cookies[django_settings.CSRF_COOKIE_NAME] = csrf_secret
    return client


def token_of(response) -> str:
    return TOKEN.search(response.content.decode()).group(1)


def test_a_second_anonymous_reader_gets_the_page_from_the_cache_without_a_query(django_assert_num_queries):
    # given a hot feed an anonymous reader has just read
    notes = [FeedNoteFactory(title=f"cached {i}") for i in range(3)]
    first = visitor().get(reverse("community:feed_hot"))
    assert first.microcache == "miss"
    # when another reader without a session asks for it
    with django_assert_num_queries(0):
        second = visitor().get(reverse("community:feed_hot"))
    # then it is the same page, from the cache
    assert second.status_code == 200 and second.microcache == "hit"
    assert set(re.findall(r'data-note-id="(\d+)"', second.content.decode())) == {str(n.pk) for n in notes}
    assert second["Content-Type"] == first["Content-Type"]
    assert "HX-Request" in second["Vary"] and "Cookie" in second["Vary"]


def test_a_cached_page_is_served_only_for_its_seconds(clock, settings):
    settings.MICROCACHE_SECONDS = 3
    FeedNoteFactory(title="before")
    visitor().get(reverse("community:feed_hot"))
    FeedNoteFactory(title="written meanwhile")
    clock[0] += 2.9
    assert "written meanwhile" not in visitor().get(reverse("community:feed_hot")).content.decode()
    clock[0] += 0.2
    fresh = visitor().get(reverse("community:feed_hot"))
    assert fresh.microcache == "miss" and "written meanwhile" in fresh.content.decode()


def test_every_answer_carries_the_requesting_visitors_own_csrf_token_and_cookies():
    FeedNoteFactory()
    url = reverse("community:feed_hot")
    a = visitor(SECRET_A).get(url)
    b = visitor(SECRET_B).get(url)
    fresh = visitor().get(url)  # no cookie at all
    assert (a.microcache, b.microcache, fresh.microcache) == ("miss", "hit", "hit")
    # the token in each page is the requester's own secret, masked afresh; never the one it was rendered for
    assert _unmask_cipher_token(token_of(a)) == SECRET_A
    assert _unmask_cipher_token(token_of(b)) == SECRET_B
    new_secret = fresh.cookies[django_settings.CSRF_COOKIE_NAME].value
    assert new_secret not in (SECRET_A, SECRET_B) and _unmask_cipher_token(token_of(fresh)) == new_secret
    # every form on the page carries the same, right token; no marker is left
    for response, secret in ((b, SECRET_B), (fresh, new_secret)):
        html = response.content.decode()
        assert microcache.CSRF_MARK not in html
        inputs = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', html)
        assert inputs and {_unmask_cipher_token(t) for t in inputs} == {secret}
    # each new visitor is given their own visitor cookie, not the first one's
    vids = {r.cookies[VISITOR_COOKIE].value for r in (a, b, fresh)}
    assert len(vids) == 3


def test_the_token_from_a_cached_page_is_accepted_on_a_post():
    FeedNoteFactory()
    visitor(SECRET_A).get(reverse("community:feed_hot"))
    reader = Client(enforce_csrf_checks=True)
    reader.cookies[django_settings.CSRF_COOKIE_NAME] = SECRET_B
    page = reader.get(reverse("community:feed_hot"))
    assert page.microcache == "hit"
    answer = reader.post(
        reverse("set_language"), {"language": "zh-hans", "csrfmiddlewaretoken": token_of(page)}
    )
    assert answer.status_code == 302  # accepted: a wrong token would be 403


def test_a_signed_in_readers_page_never_lands_in_the_cache_nor_comes_from_it():
    FeedNoteFactory()
    reader = UserFactory(nickname="Private Person")
    signed = Client()
    signed.force_login(reader)
    url = reverse("community:feed_hot")
    mine = signed.get(url)
    assert not hasattr(mine, "microcache") and 'data-testid="logout"' in mine.content.decode()
    anonymous = visitor().get(url)
    assert anonymous.microcache == "miss" and 'data-testid="logout"' not in anonymous.content.decode()
    # and once an anonymous page is cached, the signed-in reader still gets their own
    again = signed.get(url)
    assert not hasattr(again, "microcache") and 'data-testid="logout"' in again.content.decode()
    assert all(len(part) == 1 for part in microcache._parts.values())


def test_a_request_with_any_other_cookie_or_credentials_is_rendered_and_not_kept():
    FeedNoteFactory()
    url = reverse("community:feed_hot")
    with_session = visitor()
    with_session.cookies[django_settings.SESSION_COOKIE_NAME] = "whatever"
    with_messages = visitor()
    with_messages.cookies["messages"] = "x"
    for client in (with_session, with_messages):
        assert not hasattr(client.get(url), "microcache")
    assert not hasattr(visitor().get(url, HTTP_AUTHORIZATION="Token abc"), "microcache")
    assert microcache._parts == {}


def test_the_sponsored_choice_and_the_language_are_part_of_the_key():
    FeedNoteFactory()
    url = reverse("community:feed_hot")
    visitor().get(url)
    hiding = visitor()
    hiding.cookies["hs_sponsored"] = "hide"
    assert hiding.get(url).microcache == "miss"
    chinese = visitor().get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.microcache == "miss" and 'lang="zh-CN"' in chinese.content.decode()
    assert visitor().get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").microcache == "hit"
    assert visitor().get(url, HTTP_HX_REQUEST="true").microcache == "miss"


def test_unknown_or_repeated_parameters_are_never_cached():
    FeedNoteFactory()
    url = reverse("community:feed_hot")
    for query in ("?utm=1", "?cursor=a&cursor=b", "?q=<b>hi</b>"):
        assert not hasattr(visitor().get(url + query), "microcache")
    assert microcache._parts == {}


def test_a_flood_of_urls_stays_bounded_and_cannot_push_the_first_page_out(settings):
    settings.MICROCACHE_PART_ENTRIES = 4
    FeedNoteFactory(title="topic note", topics=["flood"])
    url = reverse("community:topic", args=["flood"])
    assert visitor().get(url).microcache == "miss"
    for i in range(30):  # any value of a named parameter renders a page: each is its own URL
        assert visitor().get(f"{url}?sort=x{i}").status_code == 200
    assert visitor().get(url).microcache == "hit"
    assert max(len(part) for part in microcache._parts.values()) <= 4


def test_a_flood_of_urls_is_bounded_in_bytes(settings):
    FeedNoteFactory(title="topic note", topics=["flood"])
    url = reverse("community:topic", args=["flood"])
    page = len(visitor().get(url).content)
    settings.MICROCACHE_PART_BYTES = 3 * page + page // 2  # room for three pages, not four
    microcache.microcache_clear()
    for i in range(20):
        visitor().get(f"{url}?sort=x{i}")
    part = microcache._parts[(next(iter(microcache._parts))[0], True)]
    assert len(part) == 3 and part.weight <= settings.MICROCACHE_PART_BYTES


def test_a_page_larger_than_a_part_or_an_error_is_not_kept(settings):
    FeedNoteFactory()
    settings.MICROCACHE_PART_BYTES = 1000
    visitor().get(reverse("community:feed_hot"))
    assert visitor().get(reverse("community:feed_hot")).microcache == "miss"
    settings.MICROCACHE_PART_BYTES = 4 * 1024 * 1024
    microcache.microcache_clear()
    assert visitor().get(reverse("community:topic", args=["nothing-here"])).status_code == 404
    assert all(len(part) == 0 for part in microcache._parts.values())


def test_profile_and_topic_pages_are_cached_for_anonymous_readers(django_assert_num_queries):
    writer = UserFactory(nickname="Cached Writer")
    FeedNoteFactory(author=writer)
    url = reverse("community:profile", args=[writer.pk])
    assert visitor().get(url).microcache == "miss"
    with django_assert_num_queries(0):
        assert visitor().get(url).microcache == "hit"
    assert visitor().get(url + "?tab=likes").microcache == "miss"


def test_the_personal_feed_is_cached_for_new_visitors_only_and_their_impressions_still_count():
    notes_of("旅行", 25, hot=9.0, age=timedelta(days=3))
    first = visitor().get(reverse("home"))
    assert first.microcache == "miss"
    # a new visitor served from the cache has the cards recorded as seen by them, under their own id
    newcomer = visitor()
    again = newcomer.get(reverse("home"))
    assert again.microcache == "hit" and page_ids(again) == page_ids(first)
    vid = newcomer.cookies[VISITOR_COOKIE].value
    reader = f"c:{vid.split(':')[0]}"  # the cookie is the id, its timestamp and signature
    seen = {int(n) for n in recs_client().zrange(keys.seen(reader), 0, -1)}
    assert seen == set(page_ids(first))
    # when they come back (with their visitor cookie) their feed is theirs: rendered, not cached
    back = newcomer.get(reverse("home"))
    assert not hasattr(back, "microcache")
    unseen = 25 - len(seen)
    assert unseen > 0 and not set(page_ids(back)[:unseen]) & seen  # what they saw comes after the rest


def test_the_personal_feed_of_a_signed_in_reader_is_never_cached():
    notes_of("旅行", 5)
    reader = Client()
    reader.force_login(UserFactory())
    assert not hasattr(reader.get(reverse("home")), "microcache")
    assert microcache._parts == {}


def test_the_mall_home_and_a_product_page_are_cached_for_anonymous_readers_only(django_assert_num_queries):
    from mall.tests.factories import ProductFactory

    shopper = UserFactory()
    product = ProductFactory(name="Cached Serum")
    for url in (reverse("mall:home"), reverse("mall:product", args=[product.slug])):
        assert visitor().get(url).microcache == "miss"
        with django_assert_num_queries(0):
            assert visitor().get(url).microcache == "hit"
        # a signed-in shopper's page is theirs (their cart, their recommendations): never from the cache
        signed_in = visitor()
        signed_in.force_login(shopper)
        assert not hasattr(signed_in.get(url), "microcache")
    # another variant is its own page; a parameter the page does not name (a note's referral) is not cached
    assert visitor().get(reverse("mall:product", args=[product.slug]) + "?sku=1").microcache == "miss"
    assert not hasattr(
        visitor().get(reverse("mall:product", args=[product.slug]) + "?ref=note:1"), "microcache"
    )
