"""The "Me" page as a hub: my notes, drafts, collects, boards and likes (from the community), my orders by
step and the cart (from the mall), my statistics, addresses, identity, settings and log out, in English
and Chinese, for a fixed number of queries however much there is to count."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from community.models import Note
from community.tests.factories import BoardFactory, NoteFactory, collect, like
from mall.models import Order
from mall.tests.factories import buyer, cart_with, shop_product
from tests.support.orders import place_order

pytestmark = pytest.mark.django_db

S = Order.State
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
# One order in each of these states per round: two to pay, one each to ship, to receive and in a
# return, and a cancelled one that no badge counts.
STATES = [S.PENDING_PAYMENT, S.PENDING_PAYMENT, S.PAID, S.SHIPPED, S.RETURN_REQUESTED, S.CANCELLED]


def _me_with(n: int):
    """A person with ``n`` of everything: drafts, notes, likes, collects, boards, orders per state."""
    user, address, identity = buyer()
    _product, (sku,) = shop_product(stock=1000)
    for i in range(n):
        NoteFactory(author=user, status=Note.Status.DRAFT, title=f"Draft {i}")
        NoteFactory(author=user, title=f"Published {i}")
        other = NoteFactory()
        like(user, other)
        collect(user, other)
        BoardFactory(owner=user)
        for state in STATES:
            order = place_order(shopper=(user, address, identity), sku=sku)
            Order.objects.filter(pk=order.pk).update(state=state)
    cart_with(user=user, sku=sku, quantity=n)
    return user


def _badges(html: str) -> dict[str, str]:
    nav = html.split('data-testid="me-orders"', 1)[1].split("</nav>", 1)[0]
    found = re.findall(r'data-testid="me-orders-(\w+)">(.*?)</a>', nav, re.S)
    return {tab: "".join(re.findall(r'data-testid="me-orders-count">(\d+)<', body)) for tab, body in found}


def test_me_shows_everything_that_is_mine(client):
    user = _me_with(2)
    client.force_login(user)
    html = client.get(reverse("accounts:me")).content.decode()
    # my notes and drafts
    assert html.count('data-testid="me-draft"') == 2
    for testid in ("me-notes", "me-collects", "me-boards", "me-likes", "me-stats", "me-cart", "logout-me"):
        assert f'data-testid="{testid}"' in html, testid
    counts = dict(re.findall(r'data-testid="me-(notes|collects|boards|likes)"><strong>(\d+)</strong>', html))
    assert counts == {"notes": "2", "collects": "2", "boards": "3", "likes": "2"}  # and the default board
    # my orders by step: 2 rounds of two to pay, one to ship, to receive, returning; cancelled uncounted
    assert _badges(html) == {"unpaid": "4", "processing": "2", "shipped": "2", "closed": "2"}
    assert "2 items waiting" in html
    for url in (
        reverse("accounts:addresses"),
        reverse("accounts:identities"),
        reverse("accounts:profile_edit"),
    ):
        assert url in html
    assert reverse("mall:orders") + "?tab=unpaid" in html
    assert reverse("community:creator_stats") in html


def test_me_page_queries_do_not_grow_with_what_there_is(client):
    def queries(n: int) -> int:
        client.force_login(_me_with(n))
        client.get(reverse("accounts:me"))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("accounts:me"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small, large = queries(1), queries(4)
    assert small == large
    assert large <= 12


def test_a_newcomer_gets_words_on_what_to_do_next(client):
    client.force_login(UserFactory())
    html = client.get(reverse("accounts:me")).content.decode()
    assert 'data-testid="me-draft"' not in html
    assert "Save draft" in html  # the drafts' empty state says how to make one
    assert "Empty for now" in html
    assert 'data-testid="me-orders-count"' not in html


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_me_page_renders_in_both_languages(client, lang):
    client.force_login(_me_with(1))
    response = client.get(reverse("accounts:me"), HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    html = response.content.decode()
    with translation.override(lang):
        from django.utils.translation import gettext

        for msgid in ("Notes", "Collects", "Boards", "Likes", "My orders", "To pay", "To ship", "Cart"):
            assert gettext(msgid) in html, (lang, msgid)
    assert re.search(r'<html lang="(\w+)', html).group(1) == ("zh" if lang != "en" else "en")
    assert 'data-testid="tab-me"' in html


def test_the_me_tab_is_the_tab_bars_last_page_and_lights_up(client):
    client.force_login(UserFactory())
    html = client.get(reverse("accounts:me")).content.decode()
    tabs = re.findall(r'data-testid="tab-(\w+)"', html)
    assert tabs[-1] == "me"
    assert re.search(r'class="tab active"[^>]*aria-current="page"[^>]*data-testid="tab-me"', html)
