"""The shopping part of a buyer's "Me" page: how many orders wait in each step, and what is in the cart.
Shown there through a slot (docs/architecture.md, "How a lower app shows an upper app's content")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from mall.models import CartLine, Order
from mall.selectors.orders import ORDER_TABS

S = Order.State

# The order tabs the "Me" page counts, with what each badge means. "Returns" counts returns still under
# way (the tab also lists finished and cancelled orders, which need nothing from the buyer).
ME_ORDER_TABS = ("unpaid", "processing", "shipped", "closed")
RETURNS_UNDER_WAY = (S.RETURN_REQUESTED, S.RETURNED, S.REFUND_DUE)


@dataclass
class OrderStep:
    tab: str
    count: int


@dataclass
class MeShopping:
    steps: list[OrderStep]
    cart_quantity: int


def _tab_states(tab: str) -> list[str]:
    if tab == "closed":
        return list(RETURNS_UNDER_WAY)
    return list(ORDER_TABS[tab][1] or [])


def me_shopping(*, user) -> MeShopping:
    """Orders per step (one query for every count) and the cart's number of items (one query)."""
    counts = Order.objects.filter(user_id=user.pk).aggregate(
        **{tab: Count("pk", filter=Q(state__in=_tab_states(tab))) for tab in ME_ORDER_TABS}
    )
    quantity = CartLine.objects.filter(cart__user_id=user.pk).aggregate(n=Sum("quantity"))["n"] or 0
    return MeShopping(
        steps=[OrderStep(tab=tab, count=counts[tab]) for tab in ME_ORDER_TABS], cart_quantity=quantity
    )
