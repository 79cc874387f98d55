"""A frozen or ended sale is not shown as "Live · Buy now": the mall's first screen, the sale page and what
open pages poll all read the sale's row (frozen, state, times). Written as the operator who freezes or ends
a live sale, then the shopper who looks."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flashsale.models import FlashSale
from flashsale.selectors.sales import PHASES_MAX
from flashsale.services import sales as sale_services
from flashsale.tests.helpers import live_sale, upcoming_sale
from mall.tests.factories import buyer

pytestmark = pytest.mark.django_db

PHASES = "/api/flash/sales/phases/"


@pytest.fixture
def shopper(client):
    client.force_login(buyer()[0])
    return client


def card_of(html: str, sale) -> str:
    match = re.search(rf'<article[^>]*data-flash-sale="{sale.pk}".*?</article>', html, re.S)
    assert match, "the sale's card is on the page"
    return match.group(0)


def home(client) -> str:
    return client.get(reverse("mall:home")).content.decode()


def sale_page(client, sale) -> str:
    response = client.get(reverse("flash:sale", args=[sale.pk]))
    assert response.status_code == 200
    return response.content.decode()


def says_live(html: str) -> bool:
    return ">Live<" in html or ">Buy now<" in html or "is-live" in html


def phases(client, *sales) -> dict:
    response = client.get(PHASES, {"ids": ",".join(str(s.pk) for s in sales)})
    assert response.status_code == 200
    return response.json()["sales"]


def test_a_sale_frozen_in_the_admin_stops_saying_live_and_buy_now_everywhere(shopper, admin_client):
    sale = live_sale()
    assert says_live(card_of(home(shopper), sale)) and says_live(sale_page(shopper, sale))
    assert phases(shopper, sale) == {str(sale.pk): "live"}  # an open page polled: the answer is cached

    admin_client.post(reverse("admin:flashsale_flashsale_console_action", args=[sale.pk, "freeze"]))
    assert FlashSale.objects.get(pk=sale.pk).frozen

    card = card_of(home(shopper), sale)
    assert not says_live(card) and "is-paused" in card and 'data-testid="flash-paused"' in card
    page = sale_page(shopper, sale)
    assert not says_live(page) and 'data-phase="paused"' in page and "paused for a moment" in page
    assert phases(shopper, sale) == {str(sale.pk): "paused"}  # at once, not after the cache's seconds

    sale_services.sale_resume(sale=sale)
    assert says_live(card_of(home(shopper), sale)) and phases(shopper, sale) == {str(sale.pk): "live"}


def test_a_sale_ended_by_an_operator_says_ended_and_offers_nothing_to_buy(shopper):
    sale = live_sale()
    assert phases(shopper, sale) == {str(sale.pk): "live"}
    sale_services.sale_end(sale=sale)

    assert f'data-flash-sale="{sale.pk}"' not in home(shopper)  # the strip lists live and upcoming sales
    page = sale_page(shopper, sale)
    assert not says_live(page) and 'data-testid="flash-ended"' in page and ">Ended<" in page
    assert phases(shopper, sale) == {str(sale.pk): "ended"}


def test_a_sale_past_its_end_time_is_ended_before_anyone_ends_it(shopper):
    sale = live_sale()
    FlashSale.objects.filter(pk=sale.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(seconds=1)
    )
    page = sale_page(shopper, sale)
    assert not says_live(page) and 'data-testid="flash-ended"' in page
    assert phases(shopper, sale) == {str(sale.pk): "ended"}


def test_a_frozen_upcoming_sale_is_paused_not_soon_and_has_no_buy_form(shopper):
    sale = upcoming_sale()
    sale_services.sale_freeze(sale=sale)
    card = card_of(home(shopper), sale)
    assert "is-paused" in card and ">Paused<" in card and "data-flash-buy" not in card
    assert phases(shopper, sale) == {str(sale.pk): "paused"}


def test_the_phase_poll_takes_only_ids_and_never_shows_a_draft(client):
    sale = live_sale()
    draft = live_sale()
    FlashSale.objects.filter(pk=draft.pk).update(state=FlashSale.State.DRAFT)
    response = client.get(PHASES, {"ids": f"{sale.pk},{draft.pk},abc,,-1,{'9' * 40},1e3"})
    assert response.status_code == 200
    assert response.json() == {"sales": {str(sale.pk): "live"}}
    assert client.get(PHASES).json() == {"sales": {}}
    many = ",".join(str(n) for n in range(1, 500))
    assert client.get(PHASES, {"ids": many}).status_code == 200
    assert PHASES_MAX <= 50


def test_the_sale_list_api_says_each_sales_phase(client):
    sale = live_sale()
    sale_services.sale_freeze(sale=sale)
    sales = client.get("/api/flash/sales/").json()["sales"]
    assert [(s["id"], s["phase"]) for s in sales] == [(sale.pk, "paused")]
