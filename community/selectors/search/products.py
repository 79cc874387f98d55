"""The products tab and the product strip of the main search: the mall's own search
(mall.selectors.search, through the mall's listing), so a query finds the same products in the mall's
box, the composer's picker, the API and here."""

from __future__ import annotations

from dataclasses import dataclass

from community.selectors.search import SearchPage
from mall.models import Product
from mall.selectors.catalog import SEARCH_SORT, ListingQuery, product_list, products_named

STRIP_SIZE = 6
QUERY_MAX = 60


@dataclass
class ProductsFound(SearchPage):
    """A page of product cards; ``query`` is what was searched (``corrected``: a misspelt brand put
    right, which the next page asks for)."""

    query: str = ""
    corrected: bool = False


def products_search(*, query: str, cursor: str | None = None, page_size: int) -> ProductsFound:
    """A page of product cards (price, stock state, the flash price while a sale runs) for ``query``,
    best match first: 5 queries (categories, products, stock, the offers' SKUs and sales), none for an
    empty query."""
    words = (query or "").strip()[:QUERY_MAX]
    if not words:
        return ProductsFound(items=[], searched=False)
    listing = product_list(
        query=ListingQuery(q=words, sort=SEARCH_SORT),
        cursor=cursor,
        size=page_size,
        facets=False,
        offers=True,
    )
    return ProductsFound(
        items=listing.products,
        next_cursor=listing.page.next_cursor,
        query=listing.searched,
        corrected=listing.corrected,
    )


def product_strip(*, query: str) -> list[Product]:
    """The products the query names (a brand or a product), shown above the notes about them."""
    words = (query or "").strip()[:QUERY_MAX]
    return products_named(query=words, size=STRIP_SIZE) if words else []
