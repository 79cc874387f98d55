"""Recommended for you: products from followed writers' notes and engaged topics, ranked by buzz among
those notes, with why; the global buzz for anonymous shoppers or too little signal; the mall home's
section and the API; a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import Comment, Follow, Like, Note, NoteProduct, ProductBuzz
from community.selectors.recommend import Reason, recommended_products
from community.tests.factories import CommentFactory, NoteFactory, TopicFactory
from community.tests.support.hostile import api_client
from mall.models import Product
from mall.tests.factories import SkuFactory, stock_give

pytestmark = pytest.mark.django_db


def tagging(product, *, author=None, topics=(), likes: int = 0, **note) -> Note:
    n = NoteFactory(images=0, like_count=likes, **({"author": author} if author else {}), **note)
    for name in topics:
        n.topics.add(TopicFactory(name=name))
    NoteProduct.objects.create(note=n, product=product)
    return n


def follow(shopper, *writers) -> None:
    for writer in writers:
        Follow.objects.create(follower=shopper, followee=writer)


def liked(shopper, note, *, days_ago: float = 1) -> None:
    like = Like.objects.create(user=shopper, note=note)
    Like.objects.filter(pk=like.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


def product(name: str, *, stock: int = 20, **kwargs) -> Product:
    sku = SkuFactory(product__name=name, **{f"product__{k}": v for k, v in kwargs.items()})
    if stock:
        stock_give(sku=sku, quantity=stock)
    return sku.product


def popular(p, score: float, mentions: int = 1) -> None:
    ProductBuzz.objects.create(product=p, score=score, mentions=mentions)


@pytest.fixture
def corner():
    """A shopper following three writers and fond of #skincare; products reached every which way."""
    shopper = UserFactory()
    ann, bo, cy, stranger = UserFactory.create_batch(4)
    follow(shopper, ann, bo, cy)
    serum, cream, toner, stale, retired, secret, mine, famous = (
        product(n) for n in ["Serum", "Cream", "Toner", "Stale", "Retired", "Secret", "Mine", "Famous"]
    )
    tagging(serum, author=ann)
    tagging(serum, author=bo, likes=3)
    tagging(cream, author=cy)
    skincare_note = NoteFactory(images=0)
    skincare_note.topics.add(TopicFactory(name="skincare"))
    liked(shopper, skincare_note, days_ago=20)
    tagging(toner, author=stranger, topics=["skincare"], likes=40)
    old_note = NoteFactory(images=0)
    old_note.topics.add(TopicFactory(name="perfume"))
    liked(shopper, old_note, days_ago=100)  # outside the 90 days
    tagging(stale, author=stranger, topics=["perfume"])
    Product.objects.filter(pk=retired.pk).update(is_active=False)
    tagging(retired, author=ann)
    tagging(secret, author=ann, visibility=Note.Visibility.PRIVATE)
    tagging(mine, author=shopper, topics=["skincare"])
    popular(famous, 500, mentions=12)
    popular(retired, 900)
    return locals()


@pytest.mark.clocks
def test_followed_writers_and_engaged_topics_come_first_with_why_then_global_buzz(corner):
    recs = recommended_products(user=corner["shopper"])

    assert [r.product.name for r in recs] == ["Toner", "Serum", "Cream", "Famous"]
    toner, serum, cream, famous = recs
    # Toner: one note with 40 likes (5 + 40); serum: two followed notes ((5 + 0) x 2 + (5 + 3) x 2).
    assert (toner.reason, toner.topic, toner.score) == (Reason.TOPIC, "skincare", 45)
    assert (serum.reason, serum.followed_writers, serum.score) == (Reason.FOLLOWED, 2, 26)
    assert serum.why == "2 people you follow wrote about it"
    assert cream.why == "1 person you follow wrote about it"
    assert toner.why == "Popular in #skincare"
    assert (famous.reason, famous.why) == (Reason.POPULAR, "Talked about in 12 notes")
    assert serum.product.available == 20 and serum.product.stock_state == "in_stock"
    assert serum.product.brand.name  # the card's brand came with the card query


def test_sold_out_products_come_last(corner):
    empty = product("Empty", stock=0)
    for _ in range(5):
        tagging(empty, author=corner["ann"], likes=50)

    recs = recommended_products(user=corner["shopper"])

    assert [r.product.name for r in recs] == ["Toner", "Serum", "Cream", "Famous", "Empty"]
    assert recs[-1].product.stock_state == "sold_out"


def test_comments_and_collects_count_as_engagement_with_a_topic(corner):
    shopper = corner["shopper"]
    Like.objects.filter(user=shopper).delete()
    travel = NoteFactory(images=0)
    travel.topics.add(TopicFactory(name="travel"))
    CommentFactory(note=travel, author=shopper)
    bag = product("Bag")
    tagging(bag, topics=["travel"])

    names = [r.product.name for r in recommended_products(user=shopper)]
    assert "Bag" in names and "Toner" not in names


def test_anonymous_shoppers_and_shoppers_without_signal_get_the_global_buzz(corner):
    for viewer in [None, UserFactory()]:
        recs = recommended_products(user=viewer or AnonymousUser())
        assert [r.product.name for r in recs] == ["Famous"]  # the retired product never shows
        assert recs[0].reason == Reason.POPULAR


def test_nothing_to_recommend_is_an_empty_list_and_no_section(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert recommended_products(user=None) == []
    html = client.get(reverse("mall:home")).content.decode()
    assert 'data-testid="recommended"' not in html


def test_the_limit_is_respected_and_clamped(corner):
    assert len(recommended_products(user=corner["shopper"], limit=2)) == 2
    assert len(recommended_products(user=corner["shopper"], limit=500)) == 4


# --- the mall home ------------------------------------------------------------------------------------


def test_the_mall_home_shows_recommended_cards_linking_to_the_product_with_why(client, corner):
    client.force_login(corner["shopper"])
    html = client.get(reverse("mall:home")).content.decode()

    section = html[html.index('data-testid="recommended"') :]
    assert "Recommended for you" in section
    serum = corner["serum"]
    assert f'href="{reverse("mall:product", args=[serum.slug])}"' in section
    assert "2 people you follow wrote about it" in section
    assert "Popular in #skincare" in section
    assert "css/community-recommend" in html


def test_an_anonymous_visitor_sees_what_the_community_talks_about(client, corner):
    html = client.get(reverse("mall:home")).content.decode()
    section = html[html.index('data-testid="recommended"') : html.index("</section>", html.index("rec-head"))]
    assert "Famous" in section and "Serum" not in section
    assert "What the community talks about" in section


# --- queries ------------------------------------------------------------------------------------------


def _world(count: int):
    shopper = UserFactory()
    topic_note = NoteFactory(images=0)
    topic_note.topics.add(TopicFactory(name="skincare"))
    liked(shopper, topic_note)
    for i in range(count):
        writer = UserFactory()
        follow(shopper, writer)
        tagging(product(f"F{i}"), author=writer)
        tagging(product(f"T{i}"), topics=["skincare"])
        popular(product(f"P{i}"), 100 - i)
    return shopper


@pytest.mark.parametrize("count", [2, 10])
def test_recommendations_cost_a_fixed_number_of_queries(count, django_assert_num_queries):
    shopper = _world(count)
    # the engaged topics, personal ranking, the shown products' top topics, global ranking, cards, stock
    with django_assert_num_queries(6):
        recs = recommended_products(user=shopper, limit=20)
    assert len(recs) == min(3 * count, 20)
    with django_assert_num_queries(3):  # global ranking, cards, stock
        recs = recommended_products(user=None, limit=20)
    assert len(recs) == count


@pytest.mark.parametrize("count", [2, 10])
def test_the_mall_home_costs_the_same_queries_whatever_it_recommends(
    count, client, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("mall.views.slots.FLASH_STRIP_TEMPLATE", "flashsale/absent-in-this-test.html")
    client.force_login(_world(count))
    client.get(reverse("mall:home"))
    # categories, products, stock, user, unread count; and the recommendations' global ranking, cards and
    # stock (the shopper's personal ranking is kept from the first view, RECOMMEND_CACHE_SECONDS)
    with django_assert_num_queries(8):
        html = client.get(reverse("mall:home")).content.decode()
    assert html.count('data-testid="recommended-card"') == min(3 * count, 8)


# --- API ----------------------------------------------------------------------------------------------


def test_the_api_recommends_to_the_caller_and_to_anonymous_callers(client, corner):
    url = reverse("api-recommended-products")
    anonymous = client.get(url).json()["results"]
    assert [r["name"] for r in anonymous] == ["Famous"]
    assert anonymous[0]["reason"] == "popular" and anonymous[0]["url"].endswith(
        reverse("mall:product", args=[corner["famous"].slug])
    )

    client.force_login(corner["shopper"])
    results = client.get(url, {"limit": 3}).json()["results"]
    assert [r["name"] for r in results] == ["Toner", "Serum", "Cream"]
    serum = results[1]
    assert serum["reason"] == "followed" and serum["followed_writers"] == 2
    assert serum["why"] == "2 people you follow wrote about it"
    assert (serum["available"], serum["stock_state"]) == (20, "in_stock")


@pytest.mark.parametrize("limit", ["0", "21", "abc", "-1"])
def test_a_bad_limit_is_a_400(client, limit):
    response = client.get(reverse("api-recommended-products"), {"limit": limit})
    assert response.status_code == 400 and "limit" in response.json()


@pytest.mark.parametrize("count", [2, 10])
def test_the_api_costs_a_fixed_number_of_queries(count, client, django_assert_num_queries):
    client.force_login(_world(count))
    with django_assert_num_queries(7):  # the user, and the six of the recommendations
        response = client.get(reverse("api-recommended-products"), {"limit": 20})
    assert len(response.json()["results"]) == min(3 * count, 20)


def test_notes_the_shopper_may_not_see_or_wrote_recommend_nothing(corner):
    # A moderated note (hidden) by a followed writer recommends nothing.
    hidden = product("Hidden")
    tagging(hidden, author=corner["ann"], status=Note.Status.HIDDEN)
    Comment.objects.all().delete()
    names = [r.product.name for r in recommended_products(user=corner["shopper"])]
    assert "Hidden" not in names and "Secret" not in names and "Mine" not in names
    assert "Stale" not in names and "Retired" not in names


def test_recommendations_never_come_from_private_or_hidden_notes(writer_world):
    secret = product("Secret lipstick")
    shade = TopicFactory(name="secretshade")
    for note in (writer_world.private, writer_world.hidden):
        NoteProduct.objects.create(note=note, product=secret, position=1)
        note.topics.add(shade)
    follow(writer_world.other, writer_world.writer)
    response = api_client(writer_world.other).get("/api/recommendations/products/")
    assert response.status_code == 200
    assert secret.pk not in [r["id"] for r in response.json()["results"]]
    assert "secretshade" not in response.content.decode()


def test_the_personal_ranking_is_kept_for_its_seconds_and_read_again_after(corner, django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    shopper = corner["shopper"]
    first = [r.product.name for r in recommended_products(user=shopper, now=now)]
    with django_assert_num_queries(3):  # global ranking, cards, stock: the personal ranking is kept
        kept = [r.product.name for r in recommended_products(user=shopper, now=now + timedelta(seconds=299))]
    with django_assert_num_queries(6):  # its seconds are over: ranked again
        again = [r.product.name for r in recommended_products(user=shopper, now=now + timedelta(seconds=300))]
    assert first == kept == again
