"""Purchase links on pages: the compose form's picker, partnership select and order prefill; the note
page's product cards (fixed queries for 1 or 5 cards); a reader's open / buy / add-to-cart taps, each
recorded once, 404 for what they may not see; the note's referral from the card to the order line."""

from __future__ import annotations

import secrets
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct, ProductCardClick
from community.selectors.note_page import note_page
from community.tests.factories import hidden_note, private_note
from community.tests.support.links import S, delivered_order, partnership, product, tagged_note
from flashsale.models import FlashSale
from flashsale.tests.factories import FlashSaleFactory
from mall.models import Cart, CartLine, OrderLine
from mall.services import checkout
from mall.tests.factories import BrandFactory, buyer
from tests.support.images import image_upload
from tests.support.orders import order_move, place_order

pytestmark = pytest.mark.django_db

# The note page selector's own 2 queries (was 4: topics and mentions are now array subqueries of the
# note's), then the cards': links (with product, brand, variant, cover, "bought here"), the products'
# active variants, their free stock, live offers (the flash-sale provider).
NOTE_PAGE_WITH_CARDS_QUERIES = 2 + 4


@pytest.fixture
def writer_client(client):
    client.user = UserFactory()
    client.force_login(client.user)
    return client


def _post_new(client, **overrides):
    data = {
        "title": "My haul",
        "body": "",
        "location": "",
        "visibility": "public",
        "image_order": "",
        "images": [image_upload("a.jpg", 300, 400)],
    }
    data.update(overrides)
    return client.post(reverse("community:note_new"), data)


def _clicks() -> list[tuple[int, int, str]]:
    return list(ProductCardClick.objects.order_by("id").values_list("note_id", "product_id", "action"))


# --- writing ----------------------------------------------------------------------------------------------


def test_compose_page_has_the_picker_and_only_the_writers_running_partnerships(writer_client):
    mine = partnership(writer=writer_client.user, title="Spring glow")
    partnership(writer=writer_client.user, title="Long gone", days_before=90, days_after=-30)
    partnership(writer=UserFactory(), title="Someone else's")

    response = writer_client.get(reverse("community:note_new"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "data-link-picker" in html and reverse("community:note_product_search") in html
    assert f'<option value="{mine.pk}">{mine.brand.name} · Spring glow</option>' in html
    assert "Long gone" not in html and "Someone else" not in html


def test_compose_page_without_partnerships_has_no_partnership_select(writer_client):
    html = writer_client.get(reverse("community:note_new")).content.decode()
    assert 'name="partnership"' not in html


def test_publishing_with_products_and_a_partnership_through_the_form(writer_client):
    deal = partnership(writer=writer_client.user)
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"), brand=deal.brand)
    cream, _ = product("Cream")

    # the picker posts one select per picked product (with JavaScript) and the no-JS list may repeat one
    response = _post_new(
        writer_client,
        products=[f"{serum.pk}:{large.pk}", str(cream.pk), "", str(serum.pk)],
        partnership=deal.pk,
    )

    assert response.status_code == 302
    note = Note.objects.get()
    assert note.partnership_id == deal.pk
    assert list(note.product_links.values_list("product_id", "sku_id")) == [
        (serum.pk, large.pk),
        (cream.pk, None),
    ]
    assert DisclosureFlag.objects.count() == 0


@pytest.mark.parametrize("problem", ["someone else's partnership", "six products", "inactive product"])
def test_a_refused_form_says_why_and_stores_nothing(writer_client, problem):
    products = [product(f"P{i}")[0] for i in range(6)]
    off_sale, _ = product("Gone", is_active=False)
    data = {
        "someone else's partnership": {"partnership": partnership(writer=UserFactory()).pk},
        "six products": {"products": [str(p.pk) for p in products]},
        "inactive product": {"products": [str(off_sale.pk)]},
    }[problem]

    response = _post_new(writer_client, **data)

    assert response.status_code == 400
    field = "partnership" if "partnership" in data else "products"
    assert response.context["form"].errors[field]
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert Note.objects.count() == 0 and NoteProduct.objects.count() == 0


def test_a_refused_form_shows_the_picked_products_again(writer_client):
    serum, (sku,) = product("Serum")
    response = _post_new(writer_client, title="", products=[f"{serum.pk}:{sku.pk}"])
    assert response.status_code == 400
    picked = response.context["picked"]
    assert [(p.product.pk, p.sku_id) for p in picked] == [(serum.pk, sku.pk)]
    assert f'value="{serum.pk}:{sku.pk}" selected' in response.content.decode()


def test_editing_shows_the_tags_and_saves_new_ones(writer_client):
    a, _ = product("A")
    b, _ = product("B")
    note = tagged_note(products=[a], author=writer_client.user)
    url = reverse("community:note_edit", args=[note.pk])

    page = writer_client.get(url)
    assert [p.product.pk for p in page.context["picked"]] == [a.pk]

    image_id = note.images.get().pk
    response = writer_client.post(
        url,
        {"title": "Edited", "body": "", "location": "", "visibility": "public", "image_order": str(image_id),
         "products": [str(b.pk), str(a.pk)]},
    )  # fmt: skip
    assert response.status_code == 302
    assert list(note.product_links.values_list("product_id", flat=True)) == [b.pk, a.pk]


def test_the_edit_page_keeps_an_ended_partnership_the_note_declares_selectable(writer_client):
    ended = partnership(writer=writer_client.user, title="Last winter", days_before=90, days_after=-30)
    other_ended = partnership(writer=writer_client.user, title="Long gone", days_before=90, days_after=-30)
    running = partnership(writer=writer_client.user, title="Spring glow")
    note = tagged_note(author=writer_client.user, partnership=ended)

    edit = writer_client.get(reverse("community:note_edit", args=[note.pk])).content.decode()
    compose = writer_client.get(reverse("community:note_new")).content.decode()

    assert f'<option value="{ended.pk}"' in edit and f'<option value="{running.pk}"' in edit
    assert edit.index("Last winter") < edit.index("Spring glow")
    assert f'<option value="{other_ended.pk}"' not in edit
    assert f'<option value="{ended.pk}"' not in compose and f'<option value="{running.pk}"' in compose


def test_writing_from_a_delivered_order_pre_tags_its_products(client):
    shopper = buyer()
    client.force_login(shopper[0])
    serum, (sku,) = product("Serum")
    order = delivered_order(shopper=shopper, sku=sku)

    response = client.get(reverse("community:note_new") + f"?from_order={order.number}")

    assert [(p.product.pk, p.sku_id) for p in response.context["picked"]] == [(serum.pk, sku.pk)]
    assert 'data-testid="picked-product"' in response.content.decode()


@pytest.mark.parametrize("whose", ["someone else's delivered", "mine unpaid", "mine returned", "made up"])
def test_other_orders_pre_tag_nothing_and_say_so(client, whose):
    me, stranger = buyer(), buyer()
    client.force_login(me[0])
    _serum, (sku,) = product("Serum", stock=10)
    if whose == "someone else's delivered":
        number = delivered_order(shopper=stranger, sku=sku).number
    elif whose == "mine unpaid":
        number = place_order(shopper=me, sku=sku).number
    elif whose == "mine returned":
        order = delivered_order(shopper=me, sku=sku)
        number = order_move(order, S.RETURN_REQUESTED, S.RETURNED).number
    else:
        number = "HS20990101XXXXX"

    response = client.get(reverse("community:note_new") + f"?from_order={number}")

    assert response.status_code == 200
    assert response.context["picked"] == []
    assert "Only your own delivered orders can tag products in a note." in response.content.decode()


def test_catalog_search_finds_products_on_sale_by_name_or_brand(writer_client, django_assert_num_queries):
    brand = BrandFactory(name="Shiseido")
    product("Ultimune serum", brand=brand)
    product("Red serum")
    product("Retired serum", is_active=False)
    url = reverse("community:note_product_search")

    def names(q):
        response = writer_client.get(url, {"q": q})
        assert response.status_code == 200
        return sorted(r.product.name for r in response.context["results"])

    assert names("serum") == ["Red serum", "Ultimune serum"]
    assert names("shiseido") == ["Ultimune serum"]
    assert names("") == []
    assert "Nothing on sale matches" in writer_client.get(url, {"q": "zzz"}).content.decode()

    from community.selectors.links import catalog_search

    for _ in range(5):
        product("More serum")
    for size in (1, 7):
        with django_assert_num_queries(2):
            assert len(catalog_search(query="serum", limit=size)) == size


# --- the note page's cards --------------------------------------------------------------------------------


def _cards_note(n: int):
    """A note tagging ``n`` products: the first as a product, the others by variant."""
    items = []
    for i in range(n):
        prod, (sku, _big) = product(f"P{i}", prices=("50.00", "90.00"))
        items.append(prod if i == 0 else (prod, sku))
    return tagged_note(products=items)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_note_page_cards_cost_the_same_for_1_or_5(client, django_assert_num_queries, signed_in):
    small, big = _cards_note(1), _cards_note(5)
    viewer = UserFactory() if signed_in else None
    if viewer:
        client.force_login(viewer)

    for note, size in ((small, 1), (big, 5)):
        with django_assert_num_queries(NOTE_PAGE_WITH_CARDS_QUERIES):
            page = note_page(note_id=note.pk, viewer=viewer)
        with django_assert_num_queries(0):
            assert len(page.products) == size
            assert all(c.product.brand.name and c.stock_state == "in_stock" for c in page.products)

    def page_queries(note):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("community:note", args=[note.pk]))
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="product-card"') == len(note.product_links.all())
        return len(queries)

    assert page_queries(small) == page_queries(big)


def test_cards_show_price_stock_flash_and_bought_here(client):
    shopper = buyer()
    writer = shopper[0]
    plain, (plain_sku,) = product("Plain", prices=("100.00",), stock=3)
    flash, (flash_small, flash_big) = product("Flash", prices=("80.00", "120.00"))
    gone, (gone_sku,) = product("Gone", stock=0)
    bought, (bought_sku,) = product("Bought")
    delivered_order(shopper=shopper, sku=bought_sku)
    sale = FlashSaleFactory(sku=flash_big, state=FlashSale.State.PUBLISHED, price=Decimal("66.00"))
    note = tagged_note(products=[(plain, plain_sku), flash, gone, bought], author=writer)

    page = note_page(note_id=note.pk, viewer=None)
    cards = {c.product.name: c for c in page.products}

    assert [c.product.name for c in page.products] == ["Plain", "Flash", "Gone", "Bought"]
    assert (cards["Plain"].price, cards["Plain"].stock_state, cards["Plain"].available) == (
        Decimal("100.00"),
        "low",
        3,
    )
    assert cards["Flash"].price == Decimal("80.00") and cards["Flash"].offer.price == Decimal("66.00")
    assert cards["Flash"].offer.url == f"/flash/sales/{sale.pk}/"
    assert cards["Gone"].stock_state == "sold_out" and not cards["Gone"].can_buy
    assert [c.bought_here for c in page.products] == [False, False, False, True]
    assert page.bought_here == {bought.pk}

    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert "¥66.00" in html and f'href="/flash/sales/{sale.pk}/"' in html
    assert "Only 3 left" in html and "Sold out" in html
    assert html.count('data-testid="card-bought-here"') == 1


def test_a_note_without_products_shows_no_card_section(client):
    note = tagged_note()
    html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert 'data-testid="note-products"' not in html


# --- a reader's taps ---------------------------------------------------------------------------------------


def test_opening_a_card_records_it_and_lands_on_the_product_with_the_referral(client):
    serum, _ = product("Serum")
    note = tagged_note(products=[serum])

    url = reverse("community:note_product_open", args=[note.pk, serum.pk])
    followed = client.get(url)  # a crawler, a link preview: lands, records nothing
    assert followed.status_code == 302 and _clicks() == []

    response = client.post(url)  # the reader's tap on the card

    assert response.status_code == 303
    assert response["Location"] == f"/mall/products/{serum.slug}/?ref=note:{note.pk}"
    assert _clicks() == [(note.pk, serum.pk, "open")]
    page = client.get(response["Location"])
    assert f'name="ref" value="note:{note.pk}"' in page.content.decode()


@pytest.mark.parametrize("action", ["open", "buy", "cart"])
@pytest.mark.parametrize("case", ["hidden note", "private note", "untagged product", "no such note"])
def test_taps_outside_what_the_reader_may_see_are_404_and_record_nothing(client, action, case):
    serum, _ = product("Serum")
    other, _ = product("Other")
    note = {
        "hidden note": lambda: hidden_note(),
        "private note": lambda: private_note(),
        "untagged product": lambda: tagged_note(products=[serum]),
        "no such note": lambda: None,
    }[case]()
    if note is not None and case != "untagged product":
        NoteProduct.objects.create(note=note, product=serum)
    client.force_login(UserFactory())
    note_id = note.pk if note else 10**8
    product_id = other.pk if case == "untagged product" else serum.pk
    name = {"open": "note_product_open", "buy": "note_product_buy", "cart": "note_product_cart"}[action]
    url = reverse(f"community:{name}", args=[note_id, product_id])

    response = client.get(url) if action == "open" else client.post(url)

    assert response.status_code == 404
    assert _clicks() == [] and CartLine.objects.count() == 0


def test_buy_puts_the_tagged_variant_in_the_cart_and_goes_to_checkout(client):
    shopper = buyer()
    client.force_login(shopper[0])
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"))
    note = tagged_note(products=[(serum, large)])

    response = client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("mall:checkout")
    line = CartLine.objects.get(cart__user=shopper[0])
    assert (line.sku_id, line.quantity, line.referral) == (large.pk, 1, f"note:{note.pk}")
    assert _clicks() == [(note.pk, serum.pk, "buy")]
    checkout_page = client.get(response["Location"])
    assert checkout_page.status_code == 200 and "Serum" in checkout_page.content.decode()


def test_add_to_cart_on_a_product_tag_takes_the_cheapest_variant_in_stock(client):
    serum, (cheap_gone, mid, dear) = product("Serum", prices=("50.00", "80.00", "120.00"), stock=[0, 4, 9])
    note = tagged_note(products=[serum])

    client.post(reverse("community:note_product_cart", args=[note.pk, serum.pk]))

    # an anonymous reader has a cart too; checkout will ask them to sign in
    line = CartLine.objects.get()
    assert line.cart.user_id is None and (line.sku_id, line.referral) == (mid.pk, f"note:{note.pk}")


# --- "Buy" on a card standing for several variants asks which one ------------------------------------------


def test_buy_on_a_several_variant_product_tag_shows_the_chooser_and_adds_nothing(client):
    serum, (gone, small, large) = product("Serum", prices=("50.00", "80.00", "120.00"), stock=[0, 4, 9])
    note = tagged_note(products=[serum])
    url = reverse("community:note_product_buy", args=[note.pk, serum.pk])
    note_html = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert f'hx-post="{url}" hx-target="#pcard-sheet-{serum.pk}"' in note_html

    page = client.post(url)
    sheet = client.post(url, headers={"HX-Request": "true"})

    assert page.status_code == 200 and 'data-testid="variant-page"' in page.content.decode()
    assert sheet.status_code == 200 and sheet.content.decode().lstrip().startswith(
        '<dialog open class="vsheet"'
    )
    for response in (page, sheet):
        html = response.content.decode()
        assert [c.sku for c in response.context["choices"]] == [gone, small, large]
        assert html.count('data-testid="variant-buy"') == 3 and html.count(" disabled>") == 1
        assert f'name="sku" value="{small.pk}"' in html and "Sold out" in html
    assert _clicks() == [] and CartLine.objects.count() == 0 and Cart.objects.count() == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_choosing_a_variant_lands_in_checkout_with_it_and_the_notes_referral(client, htmx):
    shopper = buyer()
    client.force_login(shopper[0])
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"))
    note = tagged_note(products=[serum])
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(
        reverse("community:note_product_buy", args=[note.pk, serum.pk]), {"sku": large.pk}, headers=headers
    )

    if htmx:
        assert response["HX-Redirect"] == reverse("mall:checkout")
    else:
        assert response.status_code == 302 and response["Location"] == reverse("mall:checkout")
    line = CartLine.objects.get(cart__user=shopper[0])
    assert (line.sku_id, line.quantity, line.referral) == (large.pk, 1, f"note:{note.pk}")
    assert _clicks() == [(note.pk, serum.pk, "buy")]
    checkout_page = client.get(reverse("mall:checkout"))
    assert checkout_page.status_code == 200 and large.name in checkout_page.content.decode()


@pytest.mark.parametrize("case", ["another product's", "retired", "sold out", "unreadable"])
def test_a_chosen_variant_that_cannot_be_bought_is_refused_and_adds_nothing(client, case):
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"), stock=[5, 0])
    _other, (foreign,) = product("Cream")
    note = tagged_note(products=[serum])
    if case == "retired":
        small.is_active = False
        small.save(update_fields=["is_active"])
    sku = {"another product's": foreign.pk, "retired": small.pk, "sold out": large.pk, "unreadable": "x1"}[
        case
    ]

    response = client.post(
        reverse("community:note_product_buy", args=[note.pk, serum.pk]), {"sku": sku}, follow=True
    )

    assert response.redirect_chain[0][0].startswith(reverse("community:note", args=[note.pk]))
    words = "is sold out" if case == "sold out" else "not one of Serum"
    assert words in response.content.decode()
    assert _clicks() == [] and CartLine.objects.count() == 0 and Cart.objects.count() == 0


def test_a_tagged_variant_card_still_buys_directly(client):
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"))
    note = tagged_note(products=[(serum, small)])
    url = reverse("community:note_product_buy", args=[note.pk, serum.pk])
    assert f'hx-post="{url}"' not in client.get(reverse("community:note", args=[note.pk])).content.decode()

    response = client.post(url)

    assert response.status_code == 302 and response["Location"] == reverse("mall:checkout")
    assert CartLine.objects.get().sku_id == small.pk


def test_buy_during_a_live_flash_sale_goes_to_the_sale(client):
    serum, (sku,) = product("Serum")
    sale = FlashSaleFactory(sku=sku, state=FlashSale.State.PUBLISHED)
    note = tagged_note(products=[serum])
    client.force_login(UserFactory())

    response = client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]))

    assert response.status_code == 302 and response["Location"] == f"/flash/sales/{sale.pk}/"
    assert CartLine.objects.count() == 0 and Cart.objects.count() == 0
    assert _clicks() == [(note.pk, serum.pk, "buy")]


@pytest.mark.parametrize("action", ["buy", "cart"])
@pytest.mark.parametrize("case", ["sold out", "off sale"])
def test_refused_buy_or_add_says_why_and_records_nothing(client, action, case):
    serum, _ = product("Serum", stock=0 if case == "sold out" else 5)
    note = tagged_note(products=[serum])
    if case == "off sale":
        serum.is_active = False
        serum.save(update_fields=["is_active"])
    name = "note_product_buy" if action == "buy" else "note_product_cart"

    response = client.post(reverse(f"community:{name}", args=[note.pk, serum.pk]), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("community:note", args=[note.pk]))
    words = "sold out" if case == "sold out" else "no longer on sale"
    assert words in response.content.decode()
    assert _clicks() == [] and CartLine.objects.count() == 0 and Cart.objects.count() == 0


def test_add_to_cart_with_htmx_swaps_the_button_and_without_goes_back(client):
    serum, (sku,) = product("Serum")
    note = tagged_note(products=[serum])
    url = reverse("community:note_product_cart", args=[note.pk, serum.pk])

    swapped = client.post(url, headers={"HX-Request": "true"})
    assert swapped.status_code == 200 and 'data-testid="card-added"' in swapped.content.decode()

    plain = client.post(url)
    assert plain.status_code == 302 and plain["Location"].startswith(
        reverse("community:note", args=[note.pk])
    )

    line = CartLine.objects.get()
    assert (line.sku_id, line.quantity, line.referral) == (sku.pk, 2, f"note:{note.pk}")
    # One reader adding twice is one tap (taps count people, not requests).
    assert _clicks() == [(note.pk, serum.pk, "cart")]


def test_the_referral_travels_from_the_card_to_the_order_line(client):
    # given a reader who can check out and a note tagging a serum
    user, address, identity = buyer()
    client.force_login(user)
    serum, (sku,) = product("Serum", is_cross_border=True)
    note = tagged_note(products=[serum])

    # when they tap "Buy" on the card and place the order
    client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]))
    cart = Cart.objects.get(user=user)
    summary = checkout.checkout_reserve(user=user, cart=cart)
    order, _replayed = checkout.order_place(
        user=user, cart=cart, token=summary.token, address=address, identity=identity,
        idempotency_key=secrets.token_hex(8),
    )  # fmt: skip

    # then the order line carries the note's referral
    assert list(OrderLine.objects.filter(order=order).values_list("sku_id", "referral")) == [
        (sku.pk, f"note:{note.pk}")
    ]


def test_the_no_javascript_list_offers_what_the_writer_received_first(client):
    shopper = buyer()
    client.force_login(shopper[0])
    best_seller, _ = product("Best seller", sales_count=500)
    received, (sku,) = product("Received")
    product("Retired", is_active=False)
    delivered_order(shopper=shopper, sku=sku)

    response = client.get(reverse("community:note_new"))

    listed = [p.pk for p in response.context["fallback_products"]]
    assert listed[0] == received.pk and best_seller.pk in listed and len(listed) == 2
    assert '<select id="products-fallback" name="products" multiple' in response.content.decode()


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def test_the_edit_page_costs_the_same_for_1_or_5_tagged_products(writer_client):
    small = tagged_note(products=[product("A")[0]], author=writer_client.user)
    big = tagged_note(
        products=[product(f"B{i}", prices=("10.00", "20.00"))[0] for i in range(5)], author=writer_client.user
    )

    counts = [_queries(writer_client, reverse("community:note_edit", args=[n.pk])) for n in (small, big)]

    assert counts[0] == counts[1]


def test_the_search_fragment_costs_the_same_for_1_or_8_results(writer_client):
    product("Lonely lipstick")
    for i in range(8):
        product(f"Serum {i}", prices=("10.00", "20.00"))
    url = reverse("community:note_product_search")

    assert _queries(writer_client, url, q="lipstick") == _queries(writer_client, url, q="serum")


def test_a_sold_out_tagged_variant_is_sold_out_on_the_card_and_for_buy(client):
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"), stock=[5, 0])
    note = tagged_note(products=[(serum, large)])

    card = note_page(note_id=note.pk, viewer=None).products[0]
    assert (card.sku, card.stock_state, card.can_buy) == (large, "sold_out", False)

    response = client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]), follow=True)
    assert "Serum is sold out." in response.content.decode()
    assert _clicks() == [] and CartLine.objects.count() == 0


def test_a_retired_tagged_variant_gives_way_to_the_products_variants(client):
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"))
    note = tagged_note(products=[(serum, large)])
    large.is_active = False
    large.save(update_fields=["is_active"])

    card = note_page(note_id=note.pk, viewer=None).products[0]
    assert (card.sku, card.price, card.can_buy) == (None, serum.min_price, True)

    client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]))
    assert CartLine.objects.get().sku_id == small.pk


def test_an_anonymous_buyer_is_asked_to_log_in_at_checkout_and_keeps_the_line(client):
    serum, (sku,) = product("Serum")
    note = tagged_note(products=[serum])

    response = client.post(reverse("community:note_product_buy", args=[note.pk, serum.pk]))
    assert response["Location"] == reverse("mall:checkout")
    login = client.get(response["Location"])
    assert login.status_code == 302 and "/accounts/login/" in login["Location"]

    # once signed in, the anonymous cart (with the note's referral) becomes theirs
    user = buyer()[0]
    client.force_login(user)
    assert client.get(reverse("mall:checkout")).status_code == 200
    assert list(CartLine.objects.filter(cart__user=user).values_list("sku_id", "referral")) == [
        (sku.pk, f"note:{note.pk}")
    ]


def test_the_writer_is_reminded_to_declare_a_partner_brand_they_tagged(writer_client):
    deal = partnership(writer=writer_client.user)
    lipstick, _ = product("Lipstick", brand=deal.brand)

    response = _post_new(writer_client, products=[str(lipstick.pk)])

    html = writer_client.get(response["Location"]).content.decode()
    assert f"This note tags {deal.brand.name}, a brand you have a partnership with." in html
    assert DisclosureFlag.objects.filter(state=DisclosureFlag.State.OPEN).count() == 1


@pytest.mark.parametrize(("case", "words"), [("sold out", "Sold out"), ("off sale", "No longer on sale")])
def test_a_card_that_cannot_be_bought_says_why_once(client, case, words):
    serum, (sku,) = product("Serum", stock=0 if case == "sold out" else 5)
    if case == "off sale":
        type(serum).objects.filter(pk=serum.pk).update(is_active=False)
    note = tagged_note(products=[serum])

    html = client.get(reverse("community:note", args=[note.pk])).content.decode()

    section = html[html.index('data-testid="note-products"') :]
    assert section.count(words) == 1
    assert 'data-testid="card-buy"' not in section
