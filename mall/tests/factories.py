"""factory_boy factories for the mall, and the few makers built on them: stock received through the ledger,
a cart, a buyer who can check out, a product on sale with SKUs, photos and stock, a category tree.

Orders (placed, paid, delivered ...) are in ``tests/support/orders.py``."""

from __future__ import annotations

from decimal import Decimal

import factory
from django.db import transaction

from accounts.tests.factories import AddressFactory, CustomsIdentityFactory, UserFactory
from mall.models import (
    Brand,
    Cart,
    CartLine,
    Category,
    Product,
    ProductImage,
    Sku,
    StockMovement,
    StockRecord,
    TaxCategory,
    Warehouse,
)
from mall.services.catalog import product_refresh_min_price
from mall.services.stock import stock_move
from tests.support.images import tiny_jpeg


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    country = "Japan"
    authorization = Brand.Authorization.OFFICIAL


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class TaxCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxCategory
        django_get_or_create = ("name",)

    name = "General goods"
    vat_rate = Decimal("0.13")
    consumption_rate = Decimal("0")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    tax_category = factory.SubFactory(TaxCategoryFactory)
    is_cross_border = True
    min_price = Decimal("100.00")


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = "50 ml"
    price = Decimal("100.00")


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = "NB-BONDED"
    name = "Ningbo bonded warehouse"
    kind = Warehouse.Kind.BONDED
    customs_district = "Ningbo"


def stock_give(*, sku: Sku, warehouse: Warehouse | None = None, quantity: int) -> StockRecord:
    """Receive ``quantity`` units through the ledger, as putting away an inbound shipment does."""
    warehouse = warehouse or WarehouseFactory()
    record, _created = StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    with transaction.atomic():
        stock_move(
            record_id=record.pk, kind=StockMovement.Kind.RECEIVED, on_hand_delta=quantity, source="test"
        )
    record.refresh_from_db()
    return record


def cart_with(*, user, sku: Sku, quantity: int = 1, referral: str = "") -> Cart:
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"token": f"user-{user.pk}"})
    CartLine.objects.update_or_create(
        cart=cart, sku=sku, defaults={"quantity": quantity, "referral": referral}
    )
    return cart


def buyer(serial: int = 1):
    """A user with a default address and a verified customs identity."""
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True)
    identity = CustomsIdentityFactory(user=user, is_default=True, real_name="张三")
    return user, address, identity


def cosmetics_tax() -> TaxCategory:
    tax, _created = TaxCategory.objects.get_or_create(
        name="Cosmetics", defaults={"vat_rate": Decimal("0.13"), "consumption_rate": Decimal("0.15")}
    )
    return tax


def shop_product(
    *,
    name: str = "",
    prices=("100.00",),
    stock: int | tuple | list | None = 10,
    images: int = 1,
    **fields,
):
    """A product on sale with one SKU per price (cheapest first), photos, and ``stock`` units of each
    SKU received through the ledger (a list gives each SKU its own; None or 0 receives nothing)."""
    if name:
        fields["name"] = name
    product = ProductFactory(min_price=Decimal(prices[0]), **fields)
    stocks = list(stock) if isinstance(stock, (list, tuple)) else [stock] * len(prices)
    skus = []
    for index, (price, units) in enumerate(zip(prices, stocks, strict=True)):
        sku = SkuFactory(product=product, price=Decimal(price), name=f"Size {index + 1}")
        if units:
            stock_give(sku=sku, quantity=units)
        skus.append(sku)
    for position in range(images):
        image = ProductImage(product=product, position=position)
        image.image.save(f"{product.slug}-{position}.jpg", tiny_jpeg(), save=True)
    product_refresh_min_price(product_id=product.pk)
    product.refresh_from_db()
    return product, skus


def category_pair():
    """A top category with one subcategory."""
    parent = CategoryFactory(name="Beauty", slug="beauty", icon="💄")
    child = CategoryFactory(name="Skincare", slug="skincare", icon="🧴", parent=parent)
    return parent, child
