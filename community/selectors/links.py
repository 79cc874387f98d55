"""Reads for purchase links: the product cards of a note page, the compose form's picker (catalog search,
the products already picked, a delivered order's products) in a fixed number of queries."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from community.models import PRODUCT_LINKS_MAX, DisclosureFlag, Note, NoteProduct, Partnership
from community.selectors.purchases import RECEIVED_STATES, verified_link_exists
from community.services.links import LinkItem, note_referral
from mall.models import Order, OrderLine, Product, Sku
from mall.offers import Offer, live_offers
from mall.selectors.catalog import _cover_subquery, media_url
from mall.selectors.search import product_search
from mall.selectors.stock import available_by_sku, stock_state

SEARCH_LIMIT = 12
QUERY_MAX = 60
# PostgreSQL refuses NUL in a text parameter (a 500, not "no results"); control characters never name a
# product, so they separate words like spaces do.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# What ``order_number()`` makes; anything else in ``?from_order=`` is no order of anyone's.
_ORDER_NUMBER = re.compile(r"[A-Za-z0-9-]{1,24}")

# --- note page cards ------------------------------------------------------------------------------------


@dataclass
class ProductCard:
    """One purchase link as a reader sees it."""

    note_id: int
    product: Product
    sku: Sku | None  # the tagged variant (None: the product as a whole)
    cover_url: str
    price: Decimal
    available: int
    stock_state: str  # "in_stock" | "low" | "sold_out"
    bought_here: bool
    offer: Offer | None
    on_sale: bool
    variant_count: int = 1  # active variants the card stands for ("from ¥x" when several)

    @property
    def product_id(self) -> int:
        return self.product.pk

    @property
    def referral(self) -> str:
        return note_referral(self.note_id)

    @property
    def open_url(self) -> str:
        return reverse("community:note_product_open", args=[self.note_id, self.product.pk])

    @property
    def buy_url(self) -> str:
        return reverse("community:note_product_buy", args=[self.note_id, self.product.pk])

    @property
    def cart_url(self) -> str:
        return reverse("community:note_product_cart", args=[self.note_id, self.product.pk])

    @property
    def product_url(self) -> str:
        return reverse("mall:product", args=[self.product.slug]) + f"?ref={self.referral}"

    @property
    def can_buy(self) -> bool:
        return self.on_sale and (self.offer is not None or self.stock_state != "sold_out")


def note_product_cards(*, note_id: int) -> list[ProductCard]:
    """The note's product cards in the writer's order: 4 queries whatever their number (links with
    product, brand, variant, cover and "bought here"; the products' active variants; their free stock;
    live offers such as flash sales)."""
    links = list(
        NoteProduct.objects.filter(note_id=note_id)
        .select_related("product__brand", "sku")
        .annotate(cover_path=_cover_subquery("product_id"), bought_here=verified_link_exists())
        .order_by("position", "id")
    )
    if not links:
        return []
    # A tagged variant that is no longer sold gives way to the product's variants, as "Buy" does.
    tagged = {link.pk: link.sku for link in links if link.sku_id is not None and link.sku.is_active}
    untagged = [link.product_id for link in links if link.pk not in tagged]
    variants: dict[int, list[Sku]] = {}
    for sku in Sku.objects.filter(product_id__in=untagged, is_active=True).order_by("price", "id"):
        variants.setdefault(sku.product_id, []).append(sku)
    for link in links:
        if link.pk in tagged:
            variants[link.product_id] = [tagged[link.pk]]
    sku_ids = [s.pk for skus in variants.values() for s in skus]
    available = available_by_sku(sku_ids=sku_ids)
    offers = live_offers(sku_ids=sku_ids)
    cards = []
    for link in links:
        sku = tagged.get(link.pk)
        skus = variants.get(link.product_id, [])
        free = sum(available.get(s.pk, 0) for s in skus)
        product_offers = [offers[s.pk] for s in skus if s.pk in offers]
        on_sale = link.product.is_active and bool(skus)
        cards.append(
            ProductCard(
                note_id=note_id,
                product=link.product,
                sku=sku,
                cover_url=media_url(link.cover_path),
                price=sku.price if sku else link.product.min_price,
                available=free,
                stock_state=stock_state(free) if on_sale else "sold_out",
                bought_here=bool(link.bought_here),
                offer=min(product_offers, key=lambda o: (o.price, o.sku_id))
                if on_sale and product_offers
                else None,
                on_sale=on_sale,
                variant_count=len(skus),
            )
        )
    return cards


# --- the compose form's picker ----------------------------------------------------------------------------


@dataclass
class PickedProduct:
    """A product in the picker (a search result or a product already tagged) with its variants."""

    product: Product
    cover_url: str
    variants: list[Sku] = field(default_factory=list)
    sku_id: int | None = None

    @property
    def token(self) -> str:
        return f"{self.product.pk}:{self.sku_id}" if self.sku_id else str(self.product.pk)


def _picker_qs() -> QuerySet[Product]:
    return (
        Product.objects.select_related("brand")
        .defer("search_vector")
        .annotate(cover_path=_cover_subquery())
        .prefetch_related(
            Prefetch(
                "skus",
                queryset=Sku.objects.filter(is_active=True).order_by("price", "id"),
                to_attr="variants",
            )
        )
    )


def catalog_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[PickedProduct]:
    """Products on sale matching what the writer typed, the mall's search (mall.selectors.search:
    synonyms, both languages, relevance then sales): 2 queries (products, variants)."""
    found = product_search(
        query=_CONTROL.sub(" ", query or "").strip()[:QUERY_MAX],
        queryset=_picker_qs().filter(is_active=True),
        size=limit,
        salt="community.links.picker",
    )
    return [
        PickedProduct(product=p, cover_url=media_url(p.cover_path), variants=p.variants)
        for p in found.page.items
    ]


def picked_products(*, items: Iterable[LinkItem], off_sale_ok: Iterable[int] = ()) -> list[PickedProduct]:
    """The products a form had picked, in its order, for showing them again (unknown ids dropped; the
    service explains what is wrong with the others): 2 queries.

    A product not on sale shows only when it is in ``off_sale_ok`` (the note already tags it, so its
    writer can see and remove it): a posted id must not reveal a product the shop has not released."""
    items = list(items)[: PRODUCT_LINKS_MAX * 2]
    if not items:
        return []
    shown = Q(is_active=True) | Q(pk__in=list(off_sale_ok))
    by_id = {p.pk: p for p in _picker_qs().filter(shown, pk__in=[i.product_id for i in items])}
    picked, seen = [], set()
    for item in items:
        product = by_id.get(item.product_id)
        if product is None or product.pk in seen:
            continue
        seen.add(product.pk)
        picked.append(
            PickedProduct(
                product=product,
                cover_url=media_url(product.cover_path),
                variants=product.variants,
                sku_id=item.sku_id,
            )
        )
    return picked


def note_link_items(*, note_id: int) -> list[LinkItem]:
    return [
        LinkItem(product_id, sku_id)
        for product_id, sku_id in NoteProduct.objects.filter(note_id=note_id)
        .order_by("position", "id")
        .values_list("product_id", "sku_id")
    ]


def order_link_items(*, user, number: str) -> list[LinkItem] | None:
    """The products of the user's own received order ``number`` (the variant they bought), at most 5 and
    only those still on sale; None when there is no such order of theirs in a received state."""
    number = (number or "").strip()
    if not _ORDER_NUMBER.fullmatch(number) or not getattr(user, "is_authenticated", False):
        return None
    order = Order.objects.filter(number=number, user=user, state__in=RECEIVED_STATES).only("id").first()
    if order is None:
        return None
    items, seen = [], set()
    lines = (
        OrderLine.objects.filter(order=order, sku__product__is_active=True)
        .order_by("id")
        .values_list("sku__product_id", "sku_id", "sku__is_active")
    )
    for product_id, sku_id, sku_active in lines:
        if product_id in seen:
            continue
        seen.add(product_id)
        items.append(LinkItem(product_id, sku_id if sku_active else None))
    return items[:PRODUCT_LINKS_MAX]


def fallback_products(*, user, limit: int = 30) -> list[Product]:
    """For the compose form without JavaScript: what the writer received, then the best sellers."""
    bought = Product.objects.filter(
        is_active=True,
        pk__in=OrderLine.objects.filter(order__user=user, order__state__in=RECEIVED_STATES).values(
            "sku__product_id"
        ),
    )
    products = list(bought.select_related("brand").order_by("-id")[:limit])
    if len(products) < limit:
        more = (
            Product.objects.filter(is_active=True)
            .exclude(pk__in=[p.pk for p in products])
            .select_related("brand")
            .order_by("-sales_count", "-id")[: limit - len(products)]
        )
        products += list(more)
    return products


def undeclared_partner_brands(*, note_id: int) -> list[str]:
    """Names of the brands this note is flagged for (tagged under a partnership it does not declare)."""
    return sorted(
        set(
            DisclosureFlag.objects.filter(note_id=note_id, state=DisclosureFlag.State.OPEN).values_list(
                "partnership__brand__name", flat=True
            )
        )
    )


def partnerships_selectable(
    *, user, note: Note | None = None, on: datetime.date | None = None
) -> list[Partnership]:
    """The partnerships the compose form offers: the writer's own running on ``on`` (today), and, when
    editing, the one ``note`` already declares, first, even if it has ended since. Keeping it is allowed
    (``note_update`` checks only a partnership that changes); choosing an ended one anew is not."""
    day = on or timezone.localdate()
    partnerships = list(
        Partnership.objects.filter(writer_id=user.pk, starts_on__lte=day, ends_on__gte=day)
        .select_related("brand")
        .order_by("brand__name", "-starts_on", "id")
    )
    if note is not None and note.partnership_id and note.partnership_id not in {p.pk for p in partnerships}:
        partnerships.insert(0, Partnership.objects.select_related("brand").get(pk=note.partnership_id))
    return partnerships
