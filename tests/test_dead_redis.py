"""Redis down (the cache, sessions' cache, view counts, rate limits): a signed-in shopper's pages still
answer, from PostgreSQL, and nothing answers 500. Flash-sale buying has its own fault tests (503)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.tests.factories import NoteFactory
from mall.tests.factories import buyer, shop_product

pytestmark = pytest.mark.django_db


def _dead(cache: dict) -> dict:
    options = {**cache.get("OPTIONS", {}), "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}
    return {**cache, "LOCATION": "redis://127.0.0.1:1/0", "OPTIONS": options}


def test_a_signed_in_shopper_browses_with_redis_down(client, settings):
    user, _address, _identity = buyer()
    note = NoteFactory()
    product, _skus = shop_product()
    client.force_login(user)  # the session is written while Redis is up, as it would have been
    settings.CACHES = {alias: _dead(cache) for alias, cache in settings.CACHES.items()}

    pages = [
        reverse("home"),
        reverse("community:note", args=[note.pk]),
        reverse("community:search") + "?q=cream",
        reverse("community:notifications"),
        reverse("community:creator_stats"),
        reverse("accounts:me"),
        reverse("mall:home"),
        reverse("mall:product", args=[product.slug]),
        reverse("mall:cart"),
        reverse("mall:orders"),
    ]
    answers = {url: client.get(url).status_code for url in pages}
    assert answers == dict.fromkeys(pages, 200)
    # Still signed in: the session came from the database.
    assert client.get(reverse("accounts:me")).context["user"] == user
