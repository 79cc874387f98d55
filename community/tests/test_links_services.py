"""Writing purchase links and declaring partnerships through note_create / note_update, the
disclosure check that flags a partner brand tagged without the partnership declared, and "Buy" on a card
that stands for several variants (the choice, and a chosen variant's checks)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.tests.factories import UserFactory
from community.models import DisclosureFlag, Note, NoteProduct
from community.services.disclosure import note_disclosure_check
from community.services.links import card_buy, card_variant_choices, note_products_set
from community.services.notes import note_create, note_update
from community.tests.support.links import partnership, product, tagged_note
from core.errors import Conflict, DomainError
from mall.models import Cart, CartLine
from mall.tests.factories import BrandFactory, SkuFactory
from tests.support.images import image_upload

pytestmark = pytest.mark.django_db


def _create(author, **kwargs) -> Note:
    return note_create(author=author, title="My haul", images=[image_upload("a.jpg", 300, 400)], **kwargs)


def _links(note) -> list[tuple[int, int | None, int]]:
    return list(
        NoteProduct.objects.filter(note=note)
        .order_by("position")
        .values_list("product_id", "sku_id", "position")
    )


def test_a_note_tags_products_in_the_writers_order_with_an_optional_variant():
    # given two products, the second with two variants
    first, _ = product("Cleanser")
    second, (small, large) = product("Serum", prices=("80.00", "120.00"))
    writer = UserFactory()

    # when the writer tags the serum's large bottle, then the cleanser
    note = _create(writer, products=[{"product": second.pk, "sku": large.pk}, {"product": first.pk}])

    # then the links keep that order and the chosen variant
    assert _links(note) == [(second.pk, large.pk, 0), (first.pk, None, 1)]


@pytest.mark.parametrize(
    "problem",
    ["six products", "twice", "inactive product", "foreign sku", "inactive sku", "garbage", "unknown"],
)
def test_refused_tags_store_no_note(problem):
    products = [product(f"P{i}")[0] for i in range(6)]
    other, (other_sku,) = product("Other")
    off_sale, _ = product("Gone", is_active=False)
    retired_sku = SkuFactory(product=products[0], is_active=False)
    items = {
        "six products": [{"product": p.pk} for p in products],
        "twice": [{"product": products[0].pk}, {"product": products[0].pk, "sku": None}],
        "inactive product": [{"product": off_sale.pk}],
        "foreign sku": [{"product": products[0].pk, "sku": other_sku.pk}],
        "inactive sku": [{"product": products[0].pk, "sku": retired_sku.pk}],
        "garbage": ["12abc"],
        "unknown": [{"product": 10**9}],
    }[problem]

    with pytest.raises(ValidationError) as refused:
        _create(UserFactory(), products=items)

    assert "products" in refused.value.message_dict
    assert Note.objects.count() == 0 and NoteProduct.objects.count() == 0


def test_five_products_is_the_limit():
    products = [product(f"P{i}")[0] for i in range(5)]
    note = _create(UserFactory(), products=[str(p.pk) for p in products])
    assert [p for p, _s, _pos in _links(note)] == [p.pk for p in products]


def test_editing_keeps_replaces_or_clears_the_links():
    a, _ = product("A")
    b, (b_sku,) = product("B")
    writer = UserFactory()
    note = _create(writer, products=[{"product": a.pk}])
    fields = {"title": "My haul", "body": ""}

    note_update(note=note, **fields)  # products left out: unchanged
    assert _links(note) == [(a.pk, None, 0)]

    note_update(note=note, **fields, products=[f"{b.pk}:{b_sku.pk}", str(a.pk)])
    assert _links(note) == [(b.pk, b_sku.pk, 0), (a.pk, None, 1)]

    note_update(note=note, **fields, products=[])
    assert _links(note) == []


def test_a_refused_edit_keeps_the_old_links():
    a, _ = product("A")
    note = _create(UserFactory(), products=[{"product": a.pk}])
    with pytest.raises(ValidationError):
        note_update(note=note, title="Changed", products=[{"product": a.pk}] * 2)
    note.refresh_from_db()
    assert note.title == "My haul" and _links(note) == [(a.pk, None, 0)]


def test_note_products_set_replaces_rows_in_order():
    a, _ = product("A")
    b, _ = product("B")
    note = tagged_note(products=[a])
    note_products_set(note=note, items=[str(b.pk), str(a.pk)])
    assert [p for p, _s, _pos in _links(note)] == [b.pk, a.pk]


# --- partnerships ---------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_a_writer_declares_their_own_running_partnership():
    writer = UserFactory()
    deal = partnership(writer=writer)
    note = _create(writer, partnership=deal.pk)
    assert note.partnership_id == deal.pk and note.is_sponsored


@pytest.mark.clocks
@pytest.mark.parametrize("which", ["someone else's", "ended", "not started", "nonsense"])
def test_a_partnership_that_is_not_the_writers_running_one_is_refused(which):
    writer = UserFactory()
    deal = {
        "someone else's": lambda: partnership(writer=UserFactory()),
        "ended": lambda: partnership(writer=writer, days_before=30, days_after=-1),
        "not started": lambda: partnership(writer=writer, days_before=-2, days_after=30),
        "nonsense": lambda: None,
    }[which]()
    with pytest.raises(ValidationError) as refused:
        _create(writer, partnership=deal.pk if deal else "abc")
    assert "partnership" in refused.value.message_dict
    assert Note.objects.count() == 0


@pytest.mark.clocks
def test_an_ended_partnership_already_declared_survives_an_edit_but_cannot_be_chosen_anew():
    writer = UserFactory()
    deal = partnership(writer=writer)
    note = _create(writer, partnership=deal.pk)
    # Ended well before today: a period a year long that closed a year ago, on any date (29 February too).
    deal.starts_on = timezone.localdate() - datetime.timedelta(days=730)
    deal.ends_on = timezone.localdate() - datetime.timedelta(days=365)
    deal.save()

    note_update(note=note, title="Still sponsored", partnership=deal.pk)
    note_update(note=note, title="Still sponsored")
    note.refresh_from_db()
    assert note.partnership_id == deal.pk

    note_update(note=note, title="Not any more", partnership=None)
    note.refresh_from_db()
    assert note.partnership_id is None
    with pytest.raises(ValidationError):
        note_update(note=note, title="Again", partnership=deal.pk)
    note.refresh_from_db()
    assert note.partnership_id is None and note.title == "Not any more"


# --- disclosure -----------------------------------------------------------------------------------------


@pytest.mark.clocks
def test_tagging_a_partner_brand_without_declaring_opens_one_flag():
    writer = UserFactory()
    brand = BrandFactory()
    deal = partnership(writer=writer, brand=brand)
    sponsored_product, _ = product("Lipstick", brand=brand)

    note = _create(writer, products=[{"product": sponsored_product.pk}])

    flag = DisclosureFlag.objects.get()
    assert (flag.note_id, flag.partnership_id, flag.state) == (note.pk, deal.pk, DisclosureFlag.State.OPEN)
    # running the check again (an edit, a retry) keeps the one open flag
    assert note_disclosure_check(note=note) == []
    note_update(note=note, title="Edited")
    assert DisclosureFlag.objects.count() == 1


@pytest.mark.clocks
@pytest.mark.parametrize("case", ["declared", "other brand", "other writer", "period over", "no tag"])
def test_no_flag_when_disclosure_is_not_owed(case):
    writer = UserFactory()
    brand = BrandFactory()
    tagged, _ = product("Lipstick", brand=brand if case != "other brand" else BrandFactory())
    if case == "other writer":
        partnership(writer=UserFactory(), brand=brand)
    elif case == "period over":
        partnership(writer=writer, brand=brand, days_before=60, days_after=-10)
    else:
        partnership(writer=writer, brand=brand)
    kwargs = {"products": [] if case == "no tag" else [{"product": tagged.pk}]}
    if case == "declared":
        kwargs["partnership"] = writer.partnerships.get().pk

    _create(writer, **kwargs)

    assert DisclosureFlag.objects.count() == 0


@pytest.mark.clocks
def test_declaring_the_partnership_later_closes_the_open_flag_as_labelled():
    writer = UserFactory()
    brand = BrandFactory()
    deal = partnership(writer=writer, brand=brand)
    tagged, _ = product("Lipstick", brand=brand)
    note = _create(writer, products=[{"product": tagged.pk}])
    assert DisclosureFlag.objects.get().state == DisclosureFlag.State.OPEN

    note_update(note=note, title="My haul", partnership=deal.pk)

    flag = DisclosureFlag.objects.get()
    assert flag.state == DisclosureFlag.State.LABELLED and flag.handled_at is not None


# --- "Buy" on a card standing for several variants ---------------------------------------------------------


def _no_cart():
    raise AssertionError("no cart is made before the variant is known")


def test_buy_without_a_choice_answers_the_variants_and_makes_nothing():
    serum, (small, large) = product("Serum", prices=("80.00", "120.00"), stock=[0, 3])
    link = tagged_note(products=[serum]).product_links.get()

    result = card_buy(link=link, cart_for=_no_cart, user=None)

    assert result.added is None and result.offer is None
    assert [(c.sku, c.can_buy, c.stock_state) for c in result.choices] == [
        (small, False, "sold_out"),
        (large, True, "low"),
    ]
    assert Cart.objects.count() == 0


def test_nothing_to_choose_for_a_tagged_variant_a_single_variant_or_all_sold_out():
    serum, (small, _large) = product("Serum", prices=("80.00", "120.00"))
    cream, _ = product("Cream")
    gone, _ = product("Gone", prices=("10.00", "20.00"), stock=0)
    note = tagged_note(products=[(serum, small), cream, gone])

    assert [card_variant_choices(link=link) for link in note.product_links.order_by("position")] == [
        [],
        [],
        [],
    ]
    with pytest.raises(Conflict, match="Gone is sold out"):
        card_buy(link=note.product_links.get(product=gone), cart_for=_no_cart, user=None)


@pytest.mark.parametrize(
    ("case", "status"), [("another product's", 400), ("inactive", 400), ("sold out", 409)]
)
def test_a_chosen_variant_must_be_the_products_active_and_in_stock(case, status):
    serum, (small, large, gone) = product("Serum", prices=("80.00", "120.00", "150.00"), stock=[5, 5, 0])
    _cream, (foreign,) = product("Cream")
    large.is_active = False
    large.save(update_fields=["is_active"])
    link = tagged_note(products=[serum]).product_links.get()
    sku = {"another product's": foreign, "inactive": large, "sold out": gone}[case]

    with pytest.raises(DomainError) as refused:
        card_buy(link=link, cart_for=_no_cart, user=None, sku_id=sku.pk)

    assert refused.value.status_code == status
    assert CartLine.objects.count() == 0
