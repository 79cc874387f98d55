"""Flash prices reach the community's product cards through the mall's offer registry: the registry
(lowest offer per SKU, providers registered once) and the flash-sale provider (one query, live sales
only)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from flashsale.models import FlashSale
from flashsale.selectors.offers import flash_offers
from flashsale.tests.factories import FlashSaleFactory
from mall import offers
from mall.offers import Offer, live_offers, register_offer_provider, unregister_offer_provider
from mall.tests.factories import SkuFactory

pytestmark = pytest.mark.django_db

LIVE = FlashSale.State.PUBLISHED


def _offer(sku_id, price):
    return Offer(
        sku_id=sku_id, price=Decimal(price), url=f"/x/{price}/", ends_at=timezone.now(), label="Deal"
    )


@pytest.fixture
def only_providers():
    """Run a test with exactly the providers it registers, then restore the app's ones."""
    saved = list(offers._providers)
    offers._providers.clear()
    yield
    offers._providers[:] = saved


def test_the_flashsale_app_registers_its_provider():
    assert flash_offers in offers._providers


def test_registry_keeps_the_lowest_offer_per_sku_and_asks_nobody_for_nothing(only_providers):
    calls = []

    def cheap(*, sku_ids):
        calls.append(list(sku_ids))
        return {1: _offer(1, "10.00"), 2: _offer(2, "30.00")}

    def dear(*, sku_ids):
        return {1: _offer(1, "20.00"), 3: _offer(3, "5.00")}

    register_offer_provider(cheap)
    register_offer_provider(cheap)  # twice: still asked once
    register_offer_provider(dear)

    found = live_offers(sku_ids=[3, 1, 2, 1])

    assert {k: v.price for k, v in found.items()} == {
        1: Decimal("10.00"),
        2: Decimal("30.00"),
        3: Decimal("5.00"),
    }
    assert calls == [[1, 2, 3]]
    assert live_offers(sku_ids=[]) == {} and calls == [[1, 2, 3]]
    unregister_offer_provider(dear)
    assert set(live_offers(sku_ids=[3])) == set()


def test_the_flash_provider_offers_live_published_sales_in_one_query(django_assert_num_queries):
    now = timezone.now()
    live_sku, cheaper_sku, draft_sku, ended_sku, later_sku, sold_out_sku = (SkuFactory() for _ in range(6))
    live = FlashSaleFactory(sku=live_sku, state=LIVE, price=Decimal("59.00"))
    FlashSaleFactory(sku=cheaper_sku, state=LIVE, price=Decimal("79.00"))
    cheaper = FlashSaleFactory(sku=cheaper_sku, state=LIVE, price=Decimal("49.00"))
    FlashSaleFactory(sku=draft_sku)
    FlashSaleFactory(
        sku=ended_sku, state=LIVE, starts_at=now - timedelta(hours=2), ends_at=now - timedelta(hours=1)
    )
    FlashSaleFactory(
        sku=later_sku, state=LIVE, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2)
    )
    FlashSaleFactory(sku=sold_out_sku, state=LIVE, quota=3, sold=3)
    ids = [s.pk for s in (live_sku, cheaper_sku, draft_sku, ended_sku, later_sku, sold_out_sku)]

    with django_assert_num_queries(1):
        found = flash_offers(sku_ids=ids)

    assert set(found) == {live_sku.pk, cheaper_sku.pk}
    assert found[live_sku.pk].price == Decimal("59.00")
    assert found[live_sku.pk].url == f"/flash/sales/{live.pk}/"
    assert found[live_sku.pk].ends_at == live.ends_at
    assert found[cheaper_sku.pk].url == f"/flash/sales/{cheaper.pk}/"
    assert found[cheaper_sku.pk].price == Decimal("49.00")
    with django_assert_num_queries(0):
        assert flash_offers(sku_ids=[]) == {}


def _imported_modules(package: str) -> set[tuple[str, str]]:
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / package
    found = set()
    for path in root.rglob("*.py"):
        if "tests" in path.relative_to(root).parts or "migrations" in path.relative_to(root).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {(str(path.relative_to(root)), alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add((str(path.relative_to(root)), node.module))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"), [("community", ("flashsale",)), ("mall", ("community", "flashsale"))]
)
def test_offers_keep_the_dependencies_one_way(package, forbidden):
    """Community reads flash prices through mall.offers, never from flashsale (docs/architecture.md,
    "Apps and the direction of imports")."""
    crossing = sorted(
        (path, module) for path, module in _imported_modules(package) if module.split(".")[0] in forbidden
    )
    assert crossing == []
