"""Catalog rows keep their products' search vectors current whoever writes them (admin, the demo,
tests): connected in ``MallConfig.ready`` (mall.services.search explains why this is a signal)."""

from __future__ import annotations

from mall.services.search import brand_products_reindex, category_products_reindex, products_search_index


def product_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        products_search_index(product_ids=[instance.pk])


def sku_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        products_search_index(product_ids=[instance.product_id])


def brand_saved(sender, instance, raw=False, created=False, **kwargs) -> None:
    if not raw and not created:
        brand_products_reindex(brand_id=instance.pk)


def category_saved(sender, instance, raw=False, created=False, **kwargs) -> None:
    if not raw and not created:
        category_products_reindex(category_id=instance.pk)


def connect() -> None:
    from django.db.models.signals import post_save

    from mall.models import Brand, Category, Product, Sku

    post_save.connect(product_saved, sender=Product, dispatch_uid="mall-product-search")
    post_save.connect(sku_saved, sender=Sku, dispatch_uid="mall-sku-search")
    post_save.connect(brand_saved, sender=Brand, dispatch_uid="mall-brand-search")
    post_save.connect(category_saved, sender=Category, dispatch_uid="mall-category-search")
