"""Purchase links: the products a writer tags in a note, the brand partnership a note declares, and what
a reader does with a product card (open, buy, add to cart), attributed to the note by ``note:<id>``."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from accounts.models import User
from community.models import PRODUCT_LINKS_MAX, Note, NoteProduct, Partnership, ProductCardClick
from core.errors import Conflict, DomainError
from core.visitor import Visitor, visitor_first
from mall.models import Cart, CartLine, Product, Sku
from mall.offers import Offer, live_offers
from mall.selectors.stock import available_by_sku, stock_state
from mall.services.cart import cart_add

logger = logging.getLogger(__name__)

# --- writing: tags and partnership ----------------------------------------------------------------------


@dataclass(frozen=True)
class LinkItem:
    product_id: int
    sku_id: int | None


def _as_id(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    number = int(str(value).strip())
    if number <= 0 or number > 2**62:
        raise ValueError(value)
    return number


def link_items_parse(items: Iterable) -> list[LinkItem]:
    """``[{"product": 3, "sku": 7}, {"product": 4}]``, ``LinkItem``s or ``"3:7"`` / ``"4"`` tokens, as
    ``LinkItem``s in the writer's order. Anything unreadable is refused with the field's message."""
    refused = ValidationError(
        {"products": _("The tagged products could not be read; please pick them again.")}
    )
    parsed = []
    for item in items or ():
        try:
            if isinstance(item, LinkItem):
                parsed.append(item)
            elif isinstance(item, Mapping):
                product_id = _as_id(item.get("product"))
                if product_id is None:
                    raise ValueError(item)
                parsed.append(LinkItem(product_id, _as_id(item.get("sku"))))
            else:
                product, _sep, sku = str(item).strip().partition(":")
                product_id = _as_id(product)
                if product_id is None:
                    raise ValueError(item)
                parsed.append(LinkItem(product_id, _as_id(sku)))
        except (TypeError, ValueError):
            raise refused from None
    return parsed


def note_products_clean(*, items: Iterable) -> list[LinkItem]:
    """At most PRODUCT_LINKS_MAX products, each once, each on sale; a chosen variant must be one of the
    product's active SKUs. Two queries."""
    parsed = link_items_parse(items)
    if len(parsed) > PRODUCT_LINKS_MAX:
        raise ValidationError(
            {
                "products": _("A note tags at most %(max)d products; this one has %(n)d.")
                % {"max": PRODUCT_LINKS_MAX, "n": len(parsed)}
            }
        )
    product_ids = [i.product_id for i in parsed]
    if len(set(product_ids)) != len(product_ids):
        raise ValidationError({"products": _("Each product can be tagged once.")})
    if not parsed:
        return []
    on_sale = set(Product.objects.filter(pk__in=product_ids, is_active=True).values_list("pk", flat=True))
    if set(product_ids) - on_sale:
        raise ValidationError({"products": _("One of the tagged products is not on sale.")})
    sku_ids = [i.sku_id for i in parsed if i.sku_id is not None]
    if sku_ids:
        owners = dict(Sku.objects.filter(pk__in=sku_ids, is_active=True).values_list("pk", "product_id"))
        if any(i.sku_id is not None and owners.get(i.sku_id) != i.product_id for i in parsed):
            raise ValidationError({"products": _("That variant does not belong to the product tagged.")})
    return parsed


def note_products_set(*, note: Note, items: Iterable) -> list[NoteProduct]:
    """Replace the note's purchase links with ``items``, in that order (see ``note_products_clean``).
    Runs inside the caller's transaction (``note_create``/``note_update``)."""
    cleaned = note_products_clean(items=items)
    with transaction.atomic():
        NoteProduct.objects.filter(note=note).delete()
        return NoteProduct.objects.bulk_create(
            [
                NoteProduct(note=note, product_id=i.product_id, sku_id=i.sku_id, position=position)
                for position, i in enumerate(cleaned)
            ]
        )


def partnership_clean(*, author: User, partnership_id, on: datetime.date | None = None) -> Partnership | None:
    """The writer's own partnership running on ``on`` (today), or None for "not sponsored"."""
    try:
        pk = _as_id(getattr(partnership_id, "pk", partnership_id))
    except (TypeError, ValueError):
        pk = -1
    if pk is None:
        return None
    partnership = (
        Partnership.objects.filter(pk=pk, writer_id=author.pk).select_related("brand").first()
        if pk > 0
        else None
    )
    if partnership is None:
        raise ValidationError({"partnership": _("Choose one of your own brand partnerships.")})
    day = on or timezone.localdate()
    if not partnership.starts_on <= day <= partnership.ends_on:
        raise ValidationError(
            {
                "partnership": _("The partnership “%(title)s” runs from %(start)s to %(end)s, not today.")
                % {"title": partnership.title, "start": partnership.starts_on, "end": partnership.ends_on}
            }
        )
    return partnership


# --- reading: a reader taps a card ------------------------------------------------------------------------


def note_referral(note_id: int) -> str:
    return f"note:{note_id}"


def card_click_record(
    *, link: NoteProduct, user, action: str, who: Visitor | None = None
) -> ProductCardClick | None:
    """A reader's tap, for the writer's statistics, the product's buzz and the operators' demand view. The
    writer's own taps on their note's cards are not readers' interest (as their own views and comments are
    not): None, nothing recorded. With ``who`` (the visitor, ``core.visitor``), a tap counts once per card,
    action and visitor per CARD_TAP_DEDUPE_SECONDS, and an address's rotating cookies count a few times at
    most: taps count people, not requests. Redis unreachable: the tap is recorded (a brake fails open)."""
    if action not in ProductCardClick.Action.values:
        raise ValueError(action)
    if user is not None and user.is_authenticated and user.pk == link.note.author_id:
        return None
    if who is not None:
        scope = f"tap:{link.note_id}:{link.product_id}:{action}"
        try:
            if not visitor_first(scope=scope, who=who, window=settings.CARD_TAP_DEDUPE_SECONDS):
                return None
        except RedisError:
            logger.warning("card tap on note %s recorded without dedupe: Redis unavailable", link.note_id)
    return ProductCardClick.objects.create(
        note_id=link.note_id,
        product_id=link.product_id,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
    )


def _candidate_skus(link: NoteProduct) -> list[Sku]:
    """The tagged variant when it is still sold, else the product's active variants (cheapest first)."""
    if link.sku_id and link.sku is not None and link.sku.is_active:
        return [link.sku]
    return list(Sku.objects.filter(product_id=link.product_id, is_active=True).order_by("price", "id"))


def card_offer(*, link: NoteProduct) -> Offer | None:
    """A live special offer (a flash sale) on the card's variant(s), the lowest one."""
    skus = _candidate_skus(link)
    offers = live_offers(sku_ids=[s.pk for s in skus]) if skus else {}
    return min(offers.values(), key=lambda o: (o.price, o.sku_id), default=None)


def card_sku(*, link: NoteProduct, sku_id=None) -> Sku:
    """The variant "Buy" and "Add to cart" put in the cart: the one the reader chose (``sku_id``, one of
    the product's active variants with units free), else the tagged one while it is sold, else the
    product's cheapest variant with units free. Not the product's: refused (400); sold out or off sale:
    refused (409)."""
    if not link.product.is_active:
        raise Conflict(_("%(name)s is no longer on sale.") % {"name": link.product.name})
    if sku_id not in (None, ""):
        return _chosen_sku(link, sku_id)
    skus = _candidate_skus(link)
    available = available_by_sku(sku_ids=[s.pk for s in skus])
    for sku in skus:
        if available.get(sku.pk, 0) > 0:
            return sku
    raise Conflict(_("%(name)s is sold out.") % {"name": link.product.name})


def _chosen_sku(link: NoteProduct, sku_id) -> Sku:
    refused = DomainError(_("That variant is not one of %(name)s's.") % {"name": link.product.name})
    try:
        pk = _as_id(sku_id)
    except (TypeError, ValueError):
        raise refused from None
    sku = Sku.objects.filter(pk=pk, product_id=link.product_id, is_active=True).first()
    if sku is None:
        raise refused
    if available_by_sku(sku_ids=[sku.pk]).get(sku.pk, 0) <= 0:
        raise Conflict(
            _("%(name)s · %(variant)s is sold out.") % {"name": link.product.name, "variant": sku.name}
        )
    return sku


@dataclass(frozen=True)
class VariantChoice:
    """One line of the "which variant?" chooser."""

    sku: Sku
    available: int

    @property
    def stock_state(self) -> str:
        return stock_state(self.available)

    @property
    def can_buy(self) -> bool:
        return self.available > 0


def card_variant_choices(*, link: NoteProduct) -> list[VariantChoice]:
    """What "Buy" asks the reader to choose from: the product's active variants (cheapest first) with
    their free stock, when the card stands for several (no variant tagged, or the tagged one retired);
    empty when there is nothing to choose or none has units free (then "Buy" says why)."""
    skus = _candidate_skus(link) if link.product.is_active else []
    if len(skus) < 2:
        return []
    available = available_by_sku(sku_ids=[s.pk for s in skus])
    choices = [VariantChoice(sku=s, available=available.get(s.pk, 0)) for s in skus]
    return choices if any(c.can_buy for c in choices) else []


@dataclass
class CardAdded:
    cart: Cart
    line: CartLine
    sku: Sku


def card_cart_add(
    *,
    link: NoteProduct,
    user,
    cart: Cart | None = None,
    cart_for: Callable[[], Cart] | None = None,
    action: str = ProductCardClick.Action.CART,
    who: Visitor | None = None,
    sku_id=None,
) -> CardAdded:
    """Put the card's variant in the reader's cart with the note's referral, then record the tap.

    Pass the ``cart``, or ``cart_for()`` to get it only once the variant is known (a page's anonymous
    cart is made on demand): a refusal (sold out, off sale, not the product's variant) then makes no cart
    and records nothing. ``sku_id``: the variant the reader chose (see ``card_sku``)."""
    if (cart is None) == (cart_for is None):
        raise TypeError("card_cart_add needs exactly one of cart and cart_for")
    sku = card_sku(link=link, sku_id=sku_id)
    cart = cart if cart is not None else cart_for()
    line = cart_add(cart=cart, sku_id=sku.pk, quantity=1, referral=note_referral(link.note_id))
    card_click_record(link=link, user=user, action=action, who=who)
    return CardAdded(cart=cart, line=line, sku=sku)


@dataclass
class CardBuy:
    """Where "Buy" sends the reader: into a live sale (``offer``), to checkout with ``added``, or to choose
    a variant first (``choices``: nothing was added or recorded)."""

    offer: Offer | None = None
    added: CardAdded | None = None
    choices: list[VariantChoice] | None = None


def card_buy(*, link: NoteProduct, cart_for, user, who: Visitor | None = None, sku_id=None) -> CardBuy:
    """ "Buy": into the flash sale when one is live on the product (the sale decides who gets a unit);
    else, when the card stands for several variants and the reader has not chosen one (``sku_id``), the
    variants to choose from; else the variant goes in the cart with the note's referral and the reader
    goes to checkout. ``cart_for()`` gives the reader's cart, so none is made for a reader sent to a sale
    or asked to choose."""
    if link.product.is_active:
        offer = card_offer(link=link)
        if offer is not None:
            card_click_record(link=link, user=user, action=ProductCardClick.Action.BUY, who=who)
            return CardBuy(offer=offer)
        if sku_id in (None, ""):
            choices = card_variant_choices(link=link)
            if choices:
                return CardBuy(choices=choices)
    added = card_cart_add(
        link=link, cart_for=cart_for, user=user, action=ProductCardClick.Action.BUY, who=who, sku_id=sku_id
    )
    return CardBuy(added=added)
