"""Catalog pages: the mall's first screen, listings with filters and sorts, the product page."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.keyset import page_size_parse
from core.microcache import micro_cached
from mall.cart_session import cart_for_request
from mall.selectors import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, catalog
from mall.selectors.cart import cart_count
from mall.services.cart import referral_clean
from mall.views.slots import (
    PRODUCT_NOTES_TEMPLATE,
    RECOMMENDED_TEMPLATE,
    flash_strip_template,
    optional_template,
)


def _with_params(request, **changes) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


@require_safe
@micro_cached()
def home(request):
    data = catalog.mall_home()
    return render(
        request,
        "mall/home.html",
        {
            "home": data,
            "flash_strip_template": flash_strip_template(),
            "recommended_template": optional_template(RECOMMENDED_TEMPLATE),
            "sorts": catalog.SORT_LABELS,
        },
    )


@require_safe
def product_list(request, slug: str | None = None):
    query = catalog.ListingQuery.from_params(request.GET, category=slug or "")
    listing = catalog.product_list(
        query=query,
        cursor=request.GET.get("cursor"),
        size=page_size_parse(request.GET.get("size"), default=PAGE_SIZE_DEFAULT, maximum=PAGE_SIZE_MAX),
    )
    context = {
        "listing": listing,
        "query": query,
        "sorts": catalog.SORT_LABELS,
        # After a misspelt brand was put right, the next page and the other sorts ask for the brand.
        "next_url": listing.page.next_cursor
        and _with_params(request, cursor=listing.page.next_cursor, q=listing.searched or None),
        "sort_links": [
            (key, label, _with_params(request, sort=key, cursor=None, q=listing.searched or None))
            for key, label in catalog.SORT_LABELS.items()
            if key != catalog.SEARCH_SORT or query.q
        ],
    }
    if request.htmx and request.GET.get("cursor"):
        return render(request, "mall/partials/product_page.html", context)
    return render(request, "mall/product_list.html", context)


@micro_cached(params=("sku",))
def product_detail(request, slug: str):
    data = catalog.product_page(slug=slug, sku_id=request.GET.get("sku"))
    cart = cart_for_request(request, create=False)
    return render(
        request,
        "mall/product_detail.html",
        {
            "data": data,
            "product": data.product,
            "referral": referral_clean(request.GET.get("ref")),
            "cart_count": cart_count(cart=cart),
            "product_notes_template": optional_template(PRODUCT_NOTES_TEMPLATE),
        },
    )
