"""The catalog in admin: products with SKUs, stock and photos inline (stock numbers read-only, the listing
price kept by the catalog service), the category tree, tax categories with their cross-border rate."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.urls import reverse
from PIL import Image

from mall.models import Category, Product, ProductImage, Sku, StockMovement, StockRecord
from mall.selectors.catalog import ListingQuery, product_list
from mall.services.stock import stock_reconcile
from mall.tests.factories import (
    BrandFactory,
    CategoryFactory,
    TaxCategoryFactory,
    category_pair,
    cosmetics_tax,
    shop_product,
    stock_give,
)
from tests.support.admin import form_data

pytestmark = pytest.mark.django_db


def change_url(obj) -> str:
    return reverse(f"admin:mall_{obj._meta.model_name}_change", args=[obj.pk])


def jpeg_upload(width=640, height=480) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (250, 210, 220)).save(buffer, format="JPEG")
    return SimpleUploadedFile("jar.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_product_page_shows_skus_stock_per_warehouse_and_photos(admin_client):
    product, (small, large) = shop_product(name="Night cream", prices=("120.00", "200.00"), stock=[7, 3])
    StockRecord.objects.filter(sku=large).update(low_stock_threshold=5)
    html = admin_client.get(change_url(product)).content.decode()
    for sku in (small, large):
        assert f'value="{sku.code}"' in html  # SKU rows are editable
    # Stock is shown, not editable: the numbers are text, only the threshold is an input.
    assert 'name="stockrecord_rows-0-low_stock_threshold"' in html
    assert "stockrecord_rows-0-on_hand" not in html and "stockrecord_rows-0-allocated" not in html
    assert 'data-value="low"' in html  # 3 available, threshold 5
    assert "images-0-image" in html


def test_editing_a_sku_price_refreshes_the_listing_price_through_the_catalog_service(admin_client):
    product, (small, large) = shop_product(prices=("120.00", "200.00"))
    url = change_url(product)
    data = form_data(admin_client.get(url), "product_form")
    row = next(k[: -len("-code")] for k, v in data.items() if k.endswith("-code") and v == small.code)
    data[f"{row}-price"] = "99.00"
    data[f"{row}-barcode"] = "4901234567894"
    data[f"{row}-weight_grams"] = "180"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    small.refresh_from_db()
    assert (small.price, small.barcode, small.weight_grams) == (Decimal("99.00"), "4901234567894", 180)
    product.refresh_from_db()
    assert product.min_price == Decimal("99.00")


def test_a_sku_price_of_zero_is_refused_with_a_message(admin_client):
    product, (sku,) = shop_product(prices=("120.00",))
    url = change_url(product)
    data = form_data(admin_client.get(url), "product_form")
    row = next(k[: -len("-code")] for k, v in data.items() if k.endswith("-code") and v == sku.code)
    data[f"{row}-price"] = "0"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "The price must be above zero." in response.content.decode()
    sku.refresh_from_db()
    assert sku.price == Decimal("120.00")


def catalog_list(*, q: str):
    return product_list(query=ListingQuery(q=q, sort="relevance"), facets=False).products


def test_adding_a_product_with_skus_and_a_photo(admin_client):
    brand, tax = BrandFactory(), cosmetics_tax()
    _parent, child = category_pair()
    data = form_data(admin_client.get(reverse("admin:mall_product_add")), "product_form")
    data.update(
        {
            "name_en": "Sakura essence",
            "name_zh_hans": "樱花精华",
            "slug": "sakura-essence",
            "brand": brand.pk,
            "category": child.pk,
            "tax_category": tax.pk,
            "description_en": "Light essence.",
            "is_active": "on",
            "is_cross_border": "on",
            "skus-TOTAL_FORMS": "2",
            "skus-0-code": "SE-150",
            "skus-0-name_en": "150 ml",
            "skus-0-price": "168.00",
            "skus-0-weight_grams": "220",
            "skus-0-is_active": "on",
            "skus-1-code": "SE-50",
            "skus-1-name_en": "50 ml",
            "skus-1-price": "78.00",
            "skus-1-weight_grams": "90",
            "skus-1-is_active": "on",
            "images-TOTAL_FORMS": "1",
            "images-0-image": jpeg_upload(640, 480),
            "images-0-position": "0",
        }
    )
    response = admin_client.post(reverse("admin:mall_product_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    product = Product.objects.get(slug="sakura-essence")
    assert (product.name_en, product.name_zh_hans) == ("Sakura essence", "樱花精华")
    assert sorted(product.skus.values_list("code", flat=True)) == ["SE-150", "SE-50"]
    # Found at once, in either language, by the name or the variant (mall.receivers)
    assert [p.slug for p in catalog_list(q="樱花")] == ["sakura-essence"]
    assert [p.slug for p in catalog_list(q="sakura 150")] == ["sakura-essence"]
    assert product.min_price == Decimal("78.00")
    image = ProductImage.objects.get(product=product)
    assert (image.width, image.height) == (640, 480)


def test_stock_numbers_and_counters_cant_be_posted_around(admin_client):
    product, (sku,) = shop_product(prices=("120.00",), stock=10)
    url = change_url(product)
    data = form_data(admin_client.get(url), "product_form")
    # Meanwhile the shop moves on: 5 more units arrive, 3 sell.
    stock_give(sku=sku, quantity=5)
    Product.objects.filter(pk=product.pk).update(sales_count=F("sales_count") + 3)
    data.update(
        {
            "name_en": "Renamed cream",
            "stockrecord_rows-0-on_hand": "999",
            "stockrecord_rows-0-allocated": "0",
            "stockrecord_rows-0-low_stock_threshold": "4",
            "min_price": "1.00",
            "sales_count": "0",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    product.refresh_from_db()
    assert (product.name, product.sales_count, product.min_price) == ("Renamed cream", 3, Decimal("120.00"))
    record = StockRecord.objects.get(sku=sku)
    assert (record.on_hand, record.allocated, record.low_stock_threshold) == (15, 0, 4)
    assert stock_reconcile() == []
    assert not StockMovement.objects.filter(kind=StockMovement.Kind.ADJUSTED).exists()


def test_skus_are_switched_off_not_deleted(admin_client):
    product, (sku,) = shop_product(prices=("120.00",))
    html = admin_client.get(change_url(product)).content.decode()
    assert "skus-0-DELETE" not in html
    assert Sku.objects.filter(pk=sku.pk).exists()


def test_a_category_cant_be_moved_under_its_own_subcategory(admin_client):
    parent, child = category_pair()
    grandchild = CategoryFactory(name="Night care", slug="night-care", parent=child)
    url = change_url(parent)
    data = form_data(admin_client.get(url), "category_form")
    data["parent"] = grandchild.pk
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "can&#x27;t sit under itself" in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent_id is None
    listing = admin_client.get(reverse("admin:mall_category_changelist")).content.decode()
    assert "Beauty › Skincare › Night care" in listing


def test_tax_categories_show_the_cross_border_rate(admin_client):
    TaxCategoryFactory()  # VAT 13%, no consumption tax
    cosmetics_tax()  # VAT 13%, consumption tax 15%
    listing = admin_client.get(reverse("admin:mall_taxcategory_changelist")).content.decode()
    assert "9.1%" in listing  # 13% x 0.7
    assert "23.1%" in listing  # (15% + 13%) / (1 - 15%) x 0.7


def test_brands_show_their_authorization_record(admin_client):
    BrandFactory(name="Sakura Lab", authorization="distributor", authorization_ref="AUTH-2026-001")
    listing = admin_client.get(reverse("admin:mall_brand_changelist")).content.decode()
    assert "AUTH-2026-001" in listing and "Authorized distributor" in listing


def test_catalog_lists_render(admin_client):
    shop_product(prices=("120.00", "200.00"))
    for name in ("product", "brand", "category", "taxcategory", "warehouse"):
        assert admin_client.get(reverse(f"admin:mall_{name}_changelist")).status_code == 200
    assert Category.objects.exists()


@pytest.mark.parametrize("name", ["product", "inboundshipment", "stockmovement", "customsdeclaration"])
def test_other_lists_cost_the_same_queries_for_few_and_more_rows(
    admin_client, django_assert_max_num_queries, name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from mall.models import InboundLine, InboundShipment
    from mall.tests.factories import SkuFactory, WarehouseFactory
    from tests.support.orders import cleared_order

    def add_rows(n):
        for _ in range(n):
            if name == "customsdeclaration":
                cleared_order()
                continue
            product, (sku,) = shop_product(prices=("50.00",))
            shipment = InboundShipment.objects.create(
                reference=f"IN-{sku.code}", supplier="S", warehouse=WarehouseFactory()
            )
            InboundLine.objects.create(shipment=shipment, sku=sku, quantity_expected=3)
            InboundLine.objects.create(shipment=shipment, sku=SkuFactory(), quantity_expected=2)

    url = reverse(f"admin:mall_{name}_changelist")
    add_rows(2)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    add_rows(5)
    with CaptureQueriesContext(connection) as more:
        assert admin_client.get(url).status_code == 200
    assert len(more) == len(few), [q["sql"][:120] for q in more.captured_queries]
