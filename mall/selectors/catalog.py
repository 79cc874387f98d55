"""Catalog reads: the category tree, product listings with filters, sorts and keyset pages, the product
page. Every product card costs no query of its own: its cover comes with the product row (a subquery),
its stock with one query for the whole page (mall.selectors.stock)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.files.storage import default_storage
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound
from core.keyset import Page, keyset_page
from mall.models import Brand, Category, Product, ProductImage, Sku
from mall.offers import Offer, live_offers
from mall.selectors import CURSOR_SALT, PAGE_SIZE_DEFAULT
from mall.selectors.search import RELEVANCE_KEYS, product_search, products_matching
from mall.selectors.stock import available_by_product, available_by_sku, stock_state
from mall.services.pricing import tax_estimate

SORTS: dict[str, tuple[str, ...]] = {
    "relevance": RELEVANCE_KEYS,
    "new": ("-id",),
    "price_asc": ("min_price", "id"),
    "price_desc": ("-min_price", "-id"),
    "sales": ("-sales_count", "-id"),
}
SORT_LABELS = {
    "relevance": gettext_lazy("Best match"),
    "new": gettext_lazy("Newest"),
    "sales": gettext_lazy("Best selling"),
    "price_asc": gettext_lazy("Lowest price"),
    "price_desc": gettext_lazy("Highest price"),
}
DEFAULT_SORT = "new"
# A search is sorted by relevance unless the shopper picks another order; without words there is none.
SEARCH_SORT = "relevance"


# --- categories --------------------------------------------------------------------------------------------


@dataclass
class CategoryTree:
    """Every category, loaded in one query (the tree is small), with its children and ancestors."""

    by_id: dict[int, Category]
    children: dict[int | None, list[Category]]

    @property
    def roots(self) -> list[Category]:
        return self.children.get(None, [])

    def by_slug(self, slug: str) -> Category | None:
        return next((c for c in self.by_id.values() if c.slug == slug), None)

    def descendant_ids(self, category: Category) -> list[int]:
        ids, stack = [], [category]
        while stack:
            node = stack.pop()
            ids.append(node.pk)
            stack.extend(self.children.get(node.pk, []))
        return ids

    def path(self, category: Category) -> list[Category]:
        """From the root down to ``category`` (a loop in the data stops the walk)."""
        chain, seen, node = [], set(), category
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = self.by_id.get(node.parent_id) if node.parent_id else None
        return list(reversed(chain))


def category_tree() -> CategoryTree:
    rows = list(Category.objects.order_by("position", "id"))
    children: dict[int | None, list[Category]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    return CategoryTree(by_id={c.pk: c for c in rows}, children=children)


def brand_list(*, products: QuerySet[Product] | None = None) -> list[Brand]:
    """Brands in name order; only those with a product in ``products`` when it is given."""
    qs = Brand.objects.order_by("name")
    if products is not None:
        qs = qs.filter(pk__in=products.order_by().values("brand_id"))
    return list(qs)


# --- product cards ----------------------------------------------------------------------------------------


def _cover_subquery(product_ref: str = "pk"):
    return Subquery(
        ProductImage.objects.filter(product_id=OuterRef(product_ref))
        .order_by("position", "id")
        .values("image")[:1]
    )


def media_url(path: str | None) -> str:
    return default_storage.url(path) if path else ""


def product_covers(*, product_ids) -> dict[int, str]:
    """The cover URL of each product, in one query."""
    ids = list(set(product_ids))
    if not ids:
        return {}
    rows = (
        Product.objects.filter(pk__in=ids)
        .annotate(cover_path=_cover_subquery())
        .values_list("pk", "cover_path")
    )
    return {pk: media_url(path) for pk, path in rows}


def product_card_qs() -> QuerySet[Product]:
    """Products on sale with what a card shows: brand, price, cover (as ``cover_path``)."""
    return (
        Product.objects.filter(is_active=True)
        .select_related("brand")
        .defer("search_vector")
        .annotate(cover_path=_cover_subquery())
    )


def _with_cards(products: list[Product], *, offers: bool = False) -> list[Product]:
    """Each product's cover URL, availability and stock state; with ``offers`` its cheapest live special
    price too (``offer``, a flash sale's while it runs: mall.offers)."""
    available = available_by_product(product_ids=[p.pk for p in products])
    best = product_offers(product_ids=[p.pk for p in products]) if offers and products else {}
    for product in products:
        product.offer = best.get(product.pk)
        product.cover_url = media_url(product.cover_path)
        product.available = available.get(product.pk, 0)
        product.stock_state = stock_state(product.available)
    return products


def product_offers(*, product_ids) -> dict[int, Offer]:
    """The cheapest live offer on any active SKU of each product: one query for the SKUs, then the
    offer providers'."""
    sku_products = dict(
        Sku.objects.filter(product_id__in=list(product_ids), is_active=True).values_list("pk", "product_id")
    )
    best: dict[int, Offer] = {}
    for sku_id, offer in live_offers(sku_ids=sku_products).items():
        product_id = sku_products[sku_id]
        if product_id not in best or offer.price < best[product_id].price:
            best[product_id] = offer
    return best


# --- listing ----------------------------------------------------------------------------------------------


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or number < 0 or number > Decimal("10000000"):
        return None
    return number.quantize(Decimal("0.01"))


@dataclass
class ListingQuery:
    """What a shopper asked a listing for, parsed leniently from the query string."""

    category: str = ""
    brands: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    sort: str = DEFAULT_SORT
    q: str = ""

    @classmethod
    def from_params(cls, params, *, category: str = "") -> ListingQuery:
        q = (params.get("q") or "").strip()[:60]
        sort = params.get("sort") or (SEARCH_SORT if q else DEFAULT_SORT)
        if sort not in SORTS or (sort == SEARCH_SORT and not q):
            sort = DEFAULT_SORT
        return cls(
            category=category or (params.get("category") or "").strip()[:60],
            brands=[b.strip()[:60] for b in params.getlist("brand") if b.strip()][:20],
            countries=[c.strip()[:40] for c in params.getlist("origin") if c.strip()][:20],
            price_min=_decimal(params.get("price_min")) if params.get("price_min") else None,
            price_max=_decimal(params.get("price_max")) if params.get("price_max") else None,
            sort=sort,
            q=q,
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.brands or self.countries or self.price_min is not None or self.price_max is not None)

    def salt(self) -> str:
        # A cursor is only valid for the list (sort and filters) it was made for; product_search adds
        # the words it searched.
        parts = [self.category, ",".join(sorted(self.brands)), ",".join(sorted(self.countries))]
        parts += [str(self.price_min or ""), str(self.price_max or ""), self.sort]
        return f"{CURSOR_SALT}.products:" + "|".join(parts)


@dataclass
class ProductListing:
    page: Page
    query: ListingQuery
    tree: CategoryTree
    category: Category | None
    brands: list[Brand]
    # What was searched: the typed words, or the brand they were read as (``corrected``).
    searched: str = ""
    corrected: bool = False

    @property
    def products(self) -> list[Product]:
        return self.page.items

    @property
    def subcategories(self) -> list[Category]:
        if self.category is None:
            return self.tree.roots
        return self.tree.children.get(self.category.pk, [])

    @property
    def countries(self) -> list[str]:
        return sorted({b.country for b in self.brands if b.country})


def product_filter(qs: QuerySet[Product], *, query: ListingQuery, tree: CategoryTree) -> QuerySet[Product]:
    """``qs`` narrowed by the listing's category and filters (its words are ``product_search``'s)."""
    category = None
    if query.category:
        category = tree.by_slug(query.category)
        if category is None:
            raise NotFound(_("No such category."))
        qs = qs.filter(category_id__in=tree.descendant_ids(category))
    if query.brands:
        qs = qs.filter(brand__slug__in=query.brands)
    if query.countries:
        # Either language's name of the country: the filter's values are shown in the reader's language.
        qs = qs.filter(
            Q(brand__country_en__in=query.countries) | Q(brand__country_zh_hans__in=query.countries)
        )
    if query.price_min is not None:
        qs = qs.filter(min_price__gte=query.price_min)
    if query.price_max is not None:
        qs = qs.filter(min_price__lte=query.price_max)
    return qs


def product_list(
    *,
    query: ListingQuery,
    cursor: str | None = None,
    size: int = PAGE_SIZE_DEFAULT,
    facets: bool = True,
    offers: bool = False,
) -> ProductListing:
    """A page of product cards: 4 queries (categories, products, stock, and the brands to filter by
    unless ``facets`` is false) whatever the size; 2 more with ``offers`` (the live special prices). A
    search whose words match nothing tries the brand they were probably meant as (see
    ``mall.selectors.search.product_search``)."""
    tree = category_tree()
    qs = product_filter(product_card_qs(), query=query, tree=tree)
    searched, corrected = query.q, False
    if query.q:
        found = product_search(
            query=query.q, queryset=qs, cursor=cursor, size=size, salt=query.salt(), keys=SORTS[query.sort]
        )
        page, searched, corrected = found.page, found.query, found.corrected
    else:
        page = keyset_page(qs, keys=SORTS[query.sort], cursor=cursor, size=size, salt=query.salt())
    _with_cards(page.items, offers=offers)
    brands: list[Brand] = []
    if facets:
        # The brand filter offers the brands of this category (or search), whatever else is filtered.
        scope = ListingQuery(category=query.category)
        in_scope = product_filter(Product.objects.filter(is_active=True), query=scope, tree=tree)
        if searched:
            in_scope = products_matching(in_scope, searched)
        brands = brand_list(products=in_scope)
    return ProductListing(
        page=page,
        query=query,
        tree=tree,
        category=tree.by_slug(query.category) if query.category else None,
        brands=brands,
        searched=searched,
        corrected=corrected,
    )


def products_named(*, query: str, size: int = 6, cards: bool = True) -> list[Product]:
    """The products a query names: their name or brand matches it (the index's A weight), best match
    first, for the strip above notes about them and the search box's suggestions (no spelling is put
    right: these run as someone types). One query; with ``cards`` and a match, 3 more: stock, and the
    live offers' SKUs and prices."""
    found = product_search(
        query=query,
        queryset=product_card_qs(),
        size=size,
        salt=f"{CURSOR_SALT}.named",
        weights="A",
        correct=False,
    )
    return _with_cards(found.page.items, offers=True) if cards else found.page.items


@dataclass
class MallHome:
    tree: CategoryTree
    products: list[Product]


def mall_home(*, size: int = 20) -> MallHome:
    """Round category icons, then the best-selling products: 3 queries."""
    tree = category_tree()
    products = _with_cards(list(product_card_qs().order_by("-sales_count", "-id")[:size]))
    return MallHome(tree=tree, products=products)


# --- product page -----------------------------------------------------------------------------------------


@dataclass
class SkuOption:
    sku: Sku
    available: int
    tax: Decimal

    @property
    def state(self) -> str:
        return stock_state(self.available)


@dataclass
class ProductPage:
    product: Product
    options: list[SkuOption]
    images: list[ProductImage]
    path: list[Category]
    chosen: SkuOption | None

    @property
    def available(self) -> int:
        return sum(o.available for o in self.options)

    @property
    def state(self) -> str:
        return stock_state(self.chosen.available if self.chosen else 0)


def product_page(*, slug: str, sku_id=None) -> ProductPage:
    """A product on sale with its gallery, SKUs, stock per SKU and category path: 5 queries."""
    product = (
        Product.objects.filter(slug=str(slug), is_active=True)
        .select_related("brand", "category", "tax_category")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("price", "id")),
        )
        .first()
    )
    if product is None:
        raise NotFound(_("This product is not on sale."))
    skus = list(product.skus.all())
    available = available_by_sku(sku_ids=[s.pk for s in skus])
    options = [SkuOption(sku=s, available=available.get(s.pk, 0), tax=tax_estimate(sku=s)) for s in skus]
    chosen = None
    if sku_id:
        chosen = next((o for o in options if str(o.sku.pk) == str(sku_id)), None)
    if chosen is None:
        # The first SKU a shopper can actually buy, else the cheapest.
        chosen = next((o for o in options if o.available > 0), options[0] if options else None)
    tree = category_tree()
    category = tree.by_id.get(product.category_id, product.category)
    return ProductPage(
        product=product,
        options=options,
        images=list(product.images.all()),
        path=tree.path(category),
        chosen=chosen,
    )
