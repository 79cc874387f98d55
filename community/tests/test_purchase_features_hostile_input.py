"""Hostile requests against every page, API and operators' screen of the purchase-link, trust, statistics
and demand features: anonymous, another user and staff; query values and ids that are not numbers,
negative or past a bigint, NUL bytes and lone surrogates; a dead Redis. Nothing answers 500, nothing
leaks another user's data, a refusal changes nothing, and each page costs a fixed number of queries."""

from __future__ import annotations

import pytest

from community.models import ProductCardClick
from community.tests.support.hostile import (
    HOSTILE_VALUES,
    HUGE,
    WHO,
    api_client,
    counts,
    get_raw,
    page_client,
    who_is,
)
from community.tests.support.trust import order_delivered, partnership, product, writer_shopper

pytestmark = pytest.mark.django_db


GET_PAGES = [
    ("/notes/products/search/", "q"),
    ("/notes/for-product/{product}/all/", "cursor"),
    ("/me/stats/", "days"),
    ("/me/stats/", "note"),
    ("/notes/new/", "from_order"),
    ("/admin/community/productbuzz/", "period"),
    ("/admin/community/partnership/", "q"),
    ("/admin/community/disclosureflag/", "q"),
    ("/", "sponsored"),
    ("/search/", "q"),
]


GET_APIS = [
    ("/api/catalog/search/", "q"),
    ("/api/products/{product}/notes/", "cursor"),
    ("/api/products/{product}/notes/", "page_size"),
    ("/api/me/stats/", "days"),
    ("/api/me/stats/", "note"),
    ("/api/recommendations/products/", "limit"),
    ("/api/operators/demand/", "period"),
    ("/api/notes/", "author"),
    ("/api/feed/", "sponsored"),
    ("/api/search/notes/", "q"),
    ("/api/search/notes/", "sponsored"),
]


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("path", "param"), GET_PAGES)
def test_pages_never_500_on_hostile_query_values(writer_world, who, path, param):
    client = page_client(who_is(writer_world, who))
    before = counts()
    for value in HOSTILE_VALUES:
        response = get_raw(client, path.format(product=writer_world.product.pk), **{param: value})
        assert response.status_code < 500, (path, param, value, response.status_code)
    assert counts() == before


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize(("path", "param"), GET_APIS)
def test_apis_never_500_on_hostile_query_values(writer_world, who, path, param):
    client = api_client(who_is(writer_world, who))
    before = counts()
    for value in HOSTILE_VALUES:
        response = get_raw(client, path.format(product=writer_world.product.pk), **{param: value})
        assert response.status_code < 500, (path, param, value, response.status_code)
    assert counts() == before


ID_PATHS_GET = [
    "/notes/{note}/products/{product}/",
    "/notes/for-product/{product}/",
    "/notes/for-product/{product}/all/",
    "/notes/{note}/",
    "/notes/{note}/edit/",
    "/api/products/{product}/notes/",
    "/api/notes/{note}/",
]


ID_PATHS_POST = [
    "/notes/{note}/products/{product}/buy/",
    "/notes/{note}/products/{product}/cart/",
    "/api/notes/{note}/products/{product}/cart/",
]


BAD_IDS = ["0", HUGE, str(2**64), "9" * 40, "-1", "abc"]


@pytest.mark.parametrize("who", WHO)
def test_forged_ids_in_paths_answer_4xx_and_record_nothing(writer_world, who):
    user = who_is(writer_world, who)
    before = counts()
    for template in ID_PATHS_GET + ID_PATHS_POST:
        client = api_client(user) if template.startswith("/api/") else page_client(user)
        send = client.post if template in ID_PATHS_POST else client.get
        for bad in BAD_IDS:
            paths = []
            if "{note}" in template:
                paths.append(template.format(note=bad, product=writer_world.product.pk))
            if "{product}" in template:
                paths.append(template.format(note=writer_world.note.pk, product=bad))
            for path in paths:
                response = send(path)
                # 404/400, or the login page for a page that needs a signed-in writer.
                assert response.status_code in (302, 400, 404, 405), (path, response.status_code)
                if response.status_code == 302:
                    assert who == "anonymous" and "/accounts/login/" in response["Location"]
    assert counts() == before


def _grow(writer_world, count: int) -> None:
    """``count`` more writers, each with a partnership of a brand of their own, a declared note tagging the
    brand's product and the writer_world's product (received by its writer: bought here), an undeclared note
    flagged for operators, a like and a comment asking where to buy, a card tap; the writer's own notes
    grow too; then the buzz is recomputed."""
    from community.models import Comment, Like
    from community.services.buzz import product_buzz_recompute
    from community.services.disclosure import note_disclosure_check
    from community.services.search import note_search_index
    from community.tests.factories import TopicFactory
    from community.tests.support.trust import tagged_note as trust_tagged_note

    topic = TopicFactory(name="serumtalk")
    for _ in range(count):
        shopper = writer_shopper()
        writer = shopper[0]
        deal = partnership(writer=writer, title="Serum campaign")
        made, sku = product("Serum plus", brand=deal.brand)
        order_delivered(shopper, sku)
        declared = trust_tagged_note(
            author=writer, products=[made, writer_world.product], partnership=deal, title="Serum dream"
        )
        declared.topics.add(topic)
        note_search_index(note_id=declared.pk)
        undeclared = trust_tagged_note(author=writer, products=[made], title="Serum again")
        note_disclosure_check(note=undeclared)
        Like.objects.create(user=writer_world.other, note=declared)
        Comment.objects.create(note=declared, author=writer_world.other, body="link please?")
        ProductCardClick.objects.create(note=declared, product=made, action=ProductCardClick.Action.OPEN)
        mine = trust_tagged_note(author=writer_world.writer, products=[made], title="Serum mine")
        Like.objects.create(user=writer, note=mine)
        ProductCardClick.objects.create(note=mine, product=made, action=ProductCardClick.Action.CART)
    product_buzz_recompute()


def _query_count(client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


FIXED_QUERY_PATHS = [
    ("other", "/api/notes/"),
    ("other", "/api/feed/"),
    ("other", "/api/search/notes/?q=Serum"),
    ("other", "/api/products/{product}/notes/"),
    ("anonymous", "/api/products/{product}/notes/"),
    ("other", "/api/recommendations/products/?limit=20"),
    ("anonymous", "/api/recommendations/products/?limit=20"),
    ("writer", "/api/me/stats/?days=30"),
    ("writer", "/me/stats/?days=30"),
    ("staff", "/api/operators/demand/"),
    ("staff", "/admin/community/productbuzz/?period=7"),
    ("staff", "/admin/community/disclosureflag/?state__exact=open"),
    ("staff", "/admin/community/partnership/"),
    ("writer", "/api/catalog/search/?q=Serum"),
    ("writer", "/notes/products/search/?q=Serum"),
    ("writer", "/notes/new/"),
    ("anonymous", "/notes/for-product/{product}/"),
    ("other", "/notes/for-product/{product}/all/"),
    ("other", "/notes/{note}/"),
    ("other", "/hot/"),  # the personal feed (/): recs/tests/test_feed_pages.py asserts its counts
    ("other", "/hot/?sponsored=hide"),
    ("other", "/search/?q=Serum"),
    ("other", "/topics/serumtalk/"),
    ("other", "/users/{writer}/"),
    ("writer", "/notes/{note}/edit/"),
]


@pytest.mark.parametrize(("who", "path"), FIXED_QUERY_PATHS)
def test_new_pages_and_apis_cost_the_same_whatever_the_data(writer_world, who, path):
    user = who_is(writer_world, who)
    client = api_client(user) if path.startswith("/api/") else page_client(user)
    path = path.format(
        product=writer_world.product.pk, note=writer_world.note.pk, writer=writer_world.writer.pk
    )
    _grow(writer_world, 2)
    client.get(path)  # warm the caches (session, content types, translations)
    small = _query_count(client, path)
    _grow(writer_world, 4)
    assert _query_count(client, path) == small


def _dead(cache: dict) -> dict:
    options = {**cache.get("OPTIONS", {}), "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}
    return {**cache, "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": options}


DEAD_REDIS_PATHS = [
    ("anonymous", "get", "/notes/{note}/products/{product}/"),
    ("anonymous", "post", "/notes/{note}/products/{product}/cart/"),
    ("other", "post", "/notes/{note}/products/{product}/cart/"),
    ("other", "post", "/api/notes/{note}/products/{product}/cart/"),
    ("anonymous", "get", "/notes/for-product/{product}/"),
    ("anonymous", "get", "/notes/for-product/{product}/all/"),
    ("other", "get", "/notes/for-product/{product}/all/"),
    ("other", "get", "/api/products/{product}/notes/"),
    ("writer", "get", "/me/stats/"),
    ("writer", "get", "/api/me/stats/"),
    ("other", "get", "/api/recommendations/products/"),
    ("staff", "get", "/api/operators/demand/"),
    ("writer", "get", "/api/catalog/search/?q=Serum"),
]


@pytest.mark.parametrize(("who", "method", "path"), DEAD_REDIS_PATHS)
def test_a_dead_redis_is_no_500_on_the_new_pages(writer_world, settings, who, method, path):
    user = who_is(writer_world, who)
    client = api_client(user) if path.startswith("/api/") else page_client(user)
    # Every cache on a port nothing listens on, with the site's own options (sessions fall back to the
    # database; see config/settings.py).
    settings.CACHES = {alias: _dead(cache) for alias, cache in settings.CACHES.items()}
    response = getattr(client, method)(
        path.format(note=writer_world.note.pk, product=writer_world.product.pk)
    )
    assert response.status_code < 500, response.status_code


ADMIN_QUERIES = [
    "/admin/community/disclosureflag/?state__exact=%00",
    "/admin/community/disclosureflag/?state__exact=nope",
    "/admin/community/disclosureflag/?partnership__brand__id__exact=abc",
    f"/admin/community/disclosureflag/?partnership__brand__id__exact={HUGE}",
    "/admin/community/disclosureflag/?created_at__gte=garbage",
    "/admin/community/disclosureflag/?o=99",
    "/admin/community/disclosureflag/?q=%ED%A0%80",
    "/admin/community/partnership/?period=nope",
    "/admin/community/partnership/?starts_on__year=abc",
    "/admin/community/partnership/?starts_on__year=2026&starts_on__month=13",
    f"/admin/community/partnership/?brand__id__exact={HUGE}",
    "/admin/community/partnership/?q=%00",
    "/admin/community/productbuzz/?period=7&o=1&q=x",
    f"/admin/community/disclosureflag/{HUGE}/change/",
    "/admin/community/disclosureflag/abc/change/",
    f"/admin/community/partnership/{HUGE}/change/",
]


@pytest.mark.parametrize("path", ADMIN_QUERIES)
def test_operators_screens_never_500_on_forged_filters(writer_world, path):
    before = counts()
    response = page_client(writer_world.staff).get(path)
    assert response.status_code < 500, response.status_code
    assert counts() == before
