"""Product cards rendered once per content and language (the note cards' way: community/cards.py).

A list of 20 product cards rendered through the template engine spent 2-4 ms in the cards (a URL
reverse, gettext and filters per card). A card shows nothing about its reader: ``product_card_html``
renders it once and keeps it in a per-process LRU keyed by **everything the card shows** (the
language, the product's slug, name, brand, cover URL, lowest price, cross-border flag, stock state and
live offer). There is nothing to invalidate: when any of them changes the key changes, and the old
entry ages out. Stock state and offer come from the page's own queries (``_with_cards``), so a card
is never staler than the page that shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from core.lru import Lru

_cards: Lru[str] = Lru(getattr(settings, "PRODUCT_CARD_CACHE_SIZE", 2048))


def _card_key(product, lang: str) -> tuple:
    offer = getattr(product, "offer", None)
    return (
        lang,
        product.pk,
        product.slug,
        product.name,
        product.brand.name if product.brand_id else None,
        product.cover_url,
        product.min_price,
        product.is_cross_border,
        product.stock_state,
        (offer.price, str(offer.label)) if offer else None,
    )


def product_card_html(product) -> SafeString:
    """The card of ``product`` (from ``product_card_qs()`` through ``_with_cards``)."""
    lang = get_language() or settings.LANGUAGE_CODE
    key = _card_key(product, lang)
    html = _cards.get(key)
    if html is None:
        html = get_template("mall/partials/product_card.html").render({"p": product})
        _cards.put(key, html)
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, which escaped it


def product_cards_clear() -> None:
    """Forget every cached card (tests; a deploy restarts the workers anyway)."""
    _cards.clear()
