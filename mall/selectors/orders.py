"""A buyer's orders: the list with status tabs and keyset pages, and one order with its lines, timeline,
customs declaration and return. Anybody else's order answers exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import NotFound
from core.keyset import Page, keyset_page
from mall.models import CustomsDeclaration, Order, OrderEvent, OrderLine, ParcelEvent, ReturnRequest
from mall.selectors import CURSOR_SALT, PAGE_SIZE_DEFAULT
from mall.selectors.catalog import _cover_subquery, media_url

S = Order.State

ORDER_TABS: dict[str, tuple[object, list[str] | None]] = {
    "all": (gettext_lazy("All"), None),
    "unpaid": (gettext_lazy("To pay"), [S.PENDING_PAYMENT]),
    "processing": (gettext_lazy("To ship"), [S.PAID, S.DECLARED, S.CLEARED]),
    "shipped": (gettext_lazy("Shipped"), [S.SHIPPED]),
    "done": (gettext_lazy("Delivered"), [S.DELIVERED, S.COMPLETED]),
    "closed": (
        gettext_lazy("Returns & refunds"),
        [S.RETURN_REQUESTED, S.RETURNED, S.REFUND_DUE, S.REFUNDED, S.CUSTOMS_REJECTED, S.CANCELLED],
    ),
}


def _lines_prefetch(*, warehouses: bool = False) -> Prefetch:
    lines = OrderLine.objects.annotate(cover_path=_cover_subquery("sku__product_id")).order_by("id")
    return Prefetch("lines", queryset=lines.select_related("warehouse") if warehouses else lines)


def _with_covers(orders: list[Order]) -> list[Order]:
    for order in orders:
        for line in order.lines.all():
            line.cover_url = media_url(line.cover_path)
    return orders


def order_list(*, user, tab: str = "all", cursor: str | None = None, size: int = PAGE_SIZE_DEFAULT) -> Page:
    """The buyer's orders, newest first, in one tab: 2 queries (orders, their lines with covers)."""
    _label, states = ORDER_TABS.get(tab, ORDER_TABS["all"])
    qs = Order.objects.filter(user_id=user.pk).prefetch_related(_lines_prefetch())
    if states:
        qs = qs.filter(state__in=states)
    page = keyset_page(
        qs, keys=("-id",), cursor=cursor, size=size, salt=f"{CURSOR_SALT}.orders:{user.pk}:{tab}"
    )
    _with_covers(page.items)
    return page


def order_qs(*, user) -> QuerySet[Order]:
    return Order.objects.filter(user_id=getattr(user, "pk", None))


def access_order(*, user, number) -> Order:
    order = order_qs(user=user).filter(number=str(number)[:24]).first()
    if order is None:
        raise NotFound(_("No such order."))
    return order


@dataclass
class OrderPage:
    order: Order
    lines: list[OrderLine]
    events: list[OrderEvent]
    parcel_events: list[ParcelEvent]
    declaration: CustomsDeclaration | None
    return_request: ReturnRequest | None
    now: object

    @property
    def can_pay(self) -> bool:
        return self.order.state == S.PENDING_PAYMENT and self.order.payment_deadline > self.now

    @property
    def can_cancel(self) -> bool:
        return self.order.state == S.PENDING_PAYMENT

    @property
    def can_confirm_delivery(self) -> bool:
        return self.order.state == S.SHIPPED

    @property
    def return_deadline(self):
        if self.order.delivered_at is None:
            return None
        return self.order.delivered_at + timedelta(days=settings.RETURN_WINDOW_DAYS)

    @property
    def can_request_return(self) -> bool:
        deadline = self.return_deadline
        return (
            self.order.state in (S.DELIVERED, S.COMPLETED)
            and deadline is not None
            and self.now <= deadline
            and self.return_request is None
        )

    @property
    def return_approved(self) -> bool:
        return (
            self.order.state == S.RETURN_REQUESTED
            and self.return_request is not None
            and self.return_request.approved_at is not None
        )

    @property
    def can_send_return(self) -> bool:
        """An approved return the buyer has not yet told us the tracking number of."""
        return self.return_approved and not self.return_request.return_tracking_number

    @property
    def return_addresses(self) -> list[str]:
        """Where to send the goods back: each of the order's warehouses' return address (or the shop's)."""
        addresses = []
        for line in self.lines:
            address = (line.warehouse.return_address or "").strip() or settings.RETURN_ADDRESS
            if address not in addresses:
                addresses.append(address)
        return addresses

    @property
    def is_settling(self) -> bool:
        """States the order leaves by itself soon (the page keeps its status fresh)."""
        return self.order.state in (S.PAID, S.DECLARED, S.CUSTOMS_REJECTED, S.REFUND_DUE)

    @property
    def poll_seconds(self) -> int | None:
        """How often the page asks ``order_state`` (one small query) whether its order moved on; the page
        itself is drawn again only when it did. Every second while unpaid, so a payment confirmed by the
        webhook shows at once (until the deadline expires the order, which ends the polling too); every two
        while customs and refunds run; else never."""
        if self.order.state == S.PENDING_PAYMENT:
            return 1
        if self.is_settling:
            return 2
        return None


def order_state(*, user, number) -> str:
    """The state of one of the buyer's orders, as cheaply as it can be read (one indexed query): what an
    open order page polls."""
    state = order_qs(user=user).filter(number=str(number)[:24]).values_list("state", flat=True).first()
    if state is None:
        raise NotFound(_("No such order."))
    return state


def order_page(*, user, number) -> OrderPage:
    """One of the buyer's orders: 4 queries (order with declaration and return; lines with their
    warehouses; events; the parcel's events, newest first)."""
    order = (
        order_qs(user=user)
        .filter(number=str(number)[:24])
        .select_related("declaration", "return_request")
        .prefetch_related(
            _lines_prefetch(warehouses=True),
            Prefetch("events", queryset=OrderEvent.objects.order_by("id")),
            Prefetch("parcel_events", queryset=ParcelEvent.objects.order_by("-occurred_at", "-id")),
        )
        .first()
    )
    if order is None:
        raise NotFound(_("No such order."))
    _with_covers([order])
    return OrderPage(
        order=order,
        lines=list(order.lines.all()),
        events=list(order.events.all()),
        parcel_events=list(order.parcel_events.all()),
        declaration=getattr(order, "declaration", None),
        return_request=getattr(order, "return_request", None),
        now=timezone.now(),
    )
