"""The cart page: lines with product, brand, cover, stock and tax, the product's other variants (to change
a line's), and the totals of the selected ones. Two queries whatever the number of lines (lines joined
with their products; stock for all SKUs), and one for the products' active variants when asked."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from mall.models import Cart, CartLine, Sku
from mall.selectors.catalog import _cover_subquery, media_url
from mall.selectors.stock import available_by_sku, stock_state
from mall.services.pricing import PricedLine, line_price, money


@dataclass
class CartRow:
    line: CartLine
    priced: PricedLine
    available: int
    cover_url: str
    variants: list[Sku] = field(default_factory=list)  # the product's active variants, when several

    @property
    def on_sale(self) -> bool:
        return self.line.sku.is_active and self.line.sku.product.is_active

    @property
    def state(self) -> str:
        if not self.on_sale:
            return "sold_out"
        return stock_state(self.available)

    @property
    def short(self) -> bool:
        """More units in the cart than can be bought now."""
        return self.available < self.line.quantity


@dataclass
class CartPage:
    cart: Cart | None
    rows: list[CartRow]

    @property
    def selected(self) -> list[CartRow]:
        return [r for r in self.rows if r.line.selected and r.on_sale]

    @property
    def subtotal(self) -> Decimal:
        return money(sum((r.priced.line_subtotal for r in self.selected), Decimal("0")))

    @property
    def tax_total(self) -> Decimal:
        return money(sum((r.priced.tax_amount for r in self.selected), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total

    @property
    def count(self) -> int:
        return sum(r.line.quantity for r in self.selected)

    @property
    def all_selected(self) -> bool:
        return bool(self.rows) and all(r.line.selected for r in self.rows)

    @property
    def can_check_out(self) -> bool:
        return bool(self.selected)


def cart_lines_qs(cart: Cart):
    return (
        CartLine.objects.filter(cart=cart)
        .select_related("sku__product__brand", "sku__product__tax_category")
        .annotate(cover_path=_cover_subquery("sku__product_id"))
        .order_by("-id")
    )


def cart_page(*, cart: Cart | None, with_variants: bool = False) -> CartPage:
    """``with_variants``: each row also lists its product's active variants when several (the cart page
    offers to change a line's; one query more)."""
    if cart is None or cart.pk is None:
        return CartPage(cart=cart, rows=[])
    lines = list(cart_lines_qs(cart))
    available = available_by_sku(sku_ids=[line.sku_id for line in lines])
    variants: dict[int, list[Sku]] = {}
    if lines and with_variants:
        for sku in Sku.objects.filter(
            product_id__in={line.sku.product_id for line in lines}, is_active=True, product__is_active=True
        ).order_by("price", "id"):
            variants.setdefault(sku.product_id, []).append(sku)
    rows = [
        CartRow(
            line=line,
            priced=line_price(sku=line.sku, quantity=line.quantity, referral=line.referral),
            available=available.get(line.sku_id, 0),
            cover_url=media_url(line.cover_path),
            variants=choices if len(choices := variants.get(line.sku.product_id, [])) > 1 else [],
        )
        for line in lines
    ]
    return CartPage(cart=cart, rows=rows)


def cart_count(*, cart: Cart | None) -> int:
    if cart is None or cart.pk is None:
        return 0
    return sum(CartLine.objects.filter(cart=cart).values_list("quantity", flat=True))
