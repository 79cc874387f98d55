"""Offers that upper apps make on the mall's SKUs (a flash sale's price today), without the mall or any
other app importing them (docs/architecture.md, "How a lower app shows an upper app's content").

An upper app registers a provider in its ``AppConfig.ready()``; readers (the community's product cards)
ask ``live_offers`` and get the best live offer per SKU, never knowing where it came from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Offer:
    """A live special price on one SKU: where to buy at it and until when."""

    sku_id: int
    price: Decimal
    url: str
    ends_at: datetime
    label: str


OfferProvider = Callable[..., dict[int, Offer]]

_providers: list[OfferProvider] = []


def register_offer_provider(provider: OfferProvider) -> OfferProvider:
    """Add ``provider(*, sku_ids) -> {sku id: Offer}``; registering the same function twice is a no-op
    (``ready()`` may run more than once in tests)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_offer_provider(provider: OfferProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def live_offers(*, sku_ids: Iterable[int]) -> dict[int, Offer]:
    """The lowest live offer per SKU over every provider (SKUs without an offer are left out)."""
    ids = sorted({int(i) for i in sku_ids})
    if not ids:
        return {}
    wanted = set(ids)
    best: dict[int, Offer] = {}
    for provider in list(_providers):
        for sku_id, offer in provider(sku_ids=ids).items():
            if sku_id not in wanted:
                continue  # a provider's slip must not put a price on another SKU
            current = best.get(sku_id)
            if current is None or offer.price < current.price:
                best[sku_id] = offer
    return best
