"""Checkout: hold stock with expiring reservations, then place the order by turning holds into
allocations, all under row locks taken in pk order (mall.lock_objects)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Address, CustomsIdentity, User
from core.errors import Conflict, DomainError
from core.tasks import enqueue_on_commit
from mall import lock_objects
from mall.errors import InsufficientStock, QuotaExceeded
from mall.models import Cart, CartLine, Order, OrderEvent, OrderLine, Reservation, StockMovement, StockRecord
from mall.services.pricing import PricedLine, line_price, money, order_limit_check, quota_check
from mall.services.stock import available_quantity, reserved_by_record, reserved_quantity, stock_move


@dataclass
class CheckoutSummary:
    token: str
    lines: list[PricedLine] = field(default_factory=list)
    reserved_until: object = None
    problems: list[str] = field(default_factory=list)
    # What is left of the purchaser's annual quota (their own verified identity, checked before anything
    # was held), when the lines are cross-border; else None.
    quota_left: Decimal | None = None

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.line_subtotal for line in self.lines), Decimal("0")))

    @property
    def tax_total(self) -> Decimal:
        return money(sum((line.tax_amount for line in self.lines), Decimal("0")))

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax_total

    @property
    def is_cross_border(self) -> bool:
        return any(line.sku.product.is_cross_border for line in self.lines)

    def can_place(self, *, address: Address | None, identity: CustomsIdentity | None) -> bool:
        """Whether the order can be placed from this checkout: every selected line is held, there is an
        address to ship to, and a purchaser for customs when cross-border goods are among the lines."""
        if not self.lines or self.problems or address is None:
            return False
        return identity is not None or not self.is_cross_border


class PlacedOrder(NamedTuple):
    """What ``order_place`` did: the order, and whether its idempotency key had already placed it (a double
    submit or a retry: nothing new was allocated, charged or queued)."""

    order: Order
    replayed: bool


def _cart_lines(cart: Cart) -> list[CartLine]:
    return list(
        cart.lines.filter(selected=True, sku__is_active=True, sku__product__is_active=True)
        .select_related("sku__product__tax_category", "sku__product__brand")
        .order_by("id")
    )


def _candidate_records(sku_ids) -> dict[int, list[int]]:
    by_sku: dict[int, list[int]] = {}
    for record_id, sku_id in (
        StockRecord.objects.filter(sku_id__in=sku_ids).order_by("pk").values_list("pk", "sku_id")
    ):
        by_sku.setdefault(sku_id, []).append(record_id)
    return by_sku


def identity_usable_check(*, user: User, identity: CustomsIdentity) -> None:
    """A purchase is declared for one of the buyer's own identities, and only a verified one."""
    if identity.user_id != user.pk:
        raise DomainError(_("Choose one of your own addresses and identities."))
    if not identity.is_verified:
        raise DomainError(
            _("This customs identity is not verified. Verify it again, or choose another one."),
            field="identity",
        )


def checkout_quota_check(
    *, user: User, lines: list[CartLine], identity: CustomsIdentity | None
) -> Decimal | None:
    """The customs limits for these lines, before anything is held: per order always, the annual quota
    once the purchaser's identity is known. Raises QuotaExceeded saying how much is left; returns what
    is left of ``identity``'s quota when it was checked (cross-border lines), else None."""
    priced = [line_price(sku=line.sku, quantity=line.quantity) for line in lines]
    if not any(line.sku.product.is_cross_border for line in lines):
        return None
    total = money(sum((p.line_total for p in priced), Decimal("0")))
    if identity is None:
        order_limit_check(order_total=total)
        return None
    identity_usable_check(user=user, identity=identity)
    return quota_check(id_number=identity.id_number, order_total=total)


def checkout_reserve(
    *, user: User, cart: Cart, token: str | None = None, identity: CustomsIdentity | None = None
) -> CheckoutSummary:
    """Hold stock for the cart's selected lines until the reservation expires. Calling it again with
    the same token renews the holds. Lines that can't be held are reported in ``problems``.

    An order over the customs limits (per order; the annual quota of ``identity`` when given) is
    refused with QuotaExceeded and holds nothing (earlier holds of this token are released)."""
    token = token or secrets.token_urlsafe(24)
    lines = _cart_lines(cart)
    if not lines:
        raise DomainError(_("Your cart is empty."))
    try:
        quota_left = checkout_quota_check(user=user, lines=lines, identity=identity)
    except QuotaExceeded:
        checkout_release(token=token)
        raise
    now = timezone.now()
    until = now + timedelta(minutes=settings.CHECKOUT_RESERVATION_MINUTES)
    summary = CheckoutSummary(token=token, reserved_until=until, quota_left=quota_left)
    holds = []
    with transaction.atomic(durable=True):
        # One live checkout per shopper: this one replaces every earlier hold of theirs (another tab, another
        # device), so reserving again and again never holds more than one cart's worth.
        Reservation.objects.filter(Q(checkout_token=token) | Q(user=user)).delete()
        # The candidates of every line, locked, and what others hold on them: two queries for the whole
        # cart, not two per line. ``reserved`` then counts this checkout's holds as they are chosen.
        records = lock_objects.stock_records_of_skus_lock(line.sku_id for line in lines)
        reserved = reserved_by_record(record_ids=[r.pk for r in records], now=now)
        for line in lines:
            chosen = next(
                (
                    record
                    for record in records
                    if record.sku_id == line.sku_id
                    and available_quantity(record, reserved=reserved.get(record.pk, 0)) >= line.quantity
                ),
                None,
            )
            if chosen is None:
                summary.problems.append(
                    _("%(name)s: not enough stock for %(n)d.") % {"name": str(line.sku), "n": line.quantity}
                )
                continue
            reserved[chosen.pk] = reserved.get(chosen.pk, 0) + line.quantity
            holds.append(
                Reservation(
                    stock_record=chosen,
                    user=user,
                    checkout_token=token,
                    quantity=line.quantity,
                    reserved_until=until,
                )
            )
            summary.lines.append(line_price(sku=line.sku, quantity=line.quantity, referral=line.referral))
        Reservation.objects.bulk_create(holds)
    return summary


def checkout_release(*, token: str) -> int:
    deleted, _rows = Reservation.objects.filter(checkout_token=token).delete()
    return deleted


def reservations_delete_expired() -> int:
    deleted, _rows = Reservation.objects.expired().delete()
    return deleted


def order_number() -> str:
    return timezone.localtime().strftime("HS%Y%m%d") + secrets.token_hex(5).upper()


def order_place(
    *,
    user: User,
    cart: Cart,
    token: str,
    address: Address,
    identity: CustomsIdentity | None,
    idempotency_key: str,
) -> PlacedOrder:
    """Place the order for the held lines. The same idempotency key always answers the same order, and
    says so (``replayed``) so that callers neither start a second payment nor report a new order."""
    idempotency_key = (idempotency_key or "").strip()[:64]
    if not idempotency_key:
        raise DomainError(_("Missing checkout key; reload the checkout page."))
    existing = _order_for_key(user=user, idempotency_key=idempotency_key)
    if existing:
        return PlacedOrder(existing, replayed=True)
    if address.user_id != user.pk:
        raise DomainError(_("Choose one of your own addresses and identities."))
    if identity is not None:
        identity_usable_check(user=user, identity=identity)
    try:
        return _order_place(
            user=user,
            cart=cart,
            token=token,
            address=address,
            identity=identity,
            idempotency_key=idempotency_key,
        )
    except QuotaExceeded:
        # Refused by customs limits: nothing stays held for this checkout.
        checkout_release(token=token)
        raise
    except IntegrityError:
        # A concurrent submission with the same key won the insert: answer with its order.
        existing = _order_for_key(user=user, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return PlacedOrder(existing, replayed=True)


def _unpaid_orders_check(*, user: User, identity: CustomsIdentity | None) -> None:
    """Refuse a new order while the account (or, for cross-border goods, the identity, whichever account
    uses it) already has as many orders awaiting payment as allowed. Called under the account's lock."""
    unpaid = Order.objects.filter(state=Order.State.PENDING_PAYMENT)
    if unpaid.filter(user=user).count() >= settings.UNPAID_ORDERS_PER_ACCOUNT:
        raise Conflict(
            _("You have %(n)d orders waiting for payment. Pay or cancel one of them first.")
            % {"n": settings.UNPAID_ORDERS_PER_ACCOUNT},
            code="too_many_unpaid",
        )
    if identity is not None:
        same_person = unpaid.filter(is_cross_border=True, buyer_id_hash=identity.id_number_hash)
        if same_person.count() >= settings.UNPAID_ORDERS_PER_IDENTITY:
            raise Conflict(
                _(
                    "This customs identity has %(n)d cross-border orders waiting for payment. Pay or cancel one first."
                )
                % {"n": settings.UNPAID_ORDERS_PER_IDENTITY},
                code="too_many_unpaid",
            )


def _order_for_key(*, user: User, idempotency_key: str) -> Order | None:
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def _order_place(*, user, cart, token, address, identity, idempotency_key) -> PlacedOrder:
    lines = _cart_lines(cart)
    if not lines:
        # A concurrent submission with this key may have just placed the order and emptied the cart.
        existing = _order_for_key(user=user, idempotency_key=idempotency_key)
        if existing:
            return PlacedOrder(existing, replayed=True)
        raise DomainError(_("Your cart is empty."))
    priced = [line_price(sku=line.sku, quantity=line.quantity, referral=line.referral) for line in lines]
    subtotal = money(sum((p.line_subtotal for p in priced), Decimal("0")))
    tax_total = money(sum((p.tax_amount for p in priced), Decimal("0")))
    total = subtotal + tax_total
    cross_border = any(line.sku.product.is_cross_border for line in lines)
    if cross_border and identity is None:
        raise DomainError(_("Cross-border goods need the buyer's customs identity."), field="identity")
    now = timezone.now()
    candidates = _candidate_records([line.sku_id for line in lines])
    # The shopper's own holds, whichever of their checkouts (device) made them: theirs to use, never
    # counted as someone else's (a checkout opened on a second device took over the first one's holds).
    own = {r.stock_record_id: r for r in Reservation.objects.filter(user=user)}
    with transaction.atomic(durable=True):
        lock_objects.account_orders_lock(user.pk)
        if cross_border:
            # The identity's lock before its checks: its unpaid orders and its quota are counted across
            # accounts (a number can move to another account through a dispute).
            lock_objects.quota_lock(identity.id_number_hash)
        _unpaid_orders_check(user=user, identity=identity if cross_border else None)
        if cross_border:
            quota_check(id_number=identity.id_number, order_total=total)
        locked = lock_objects.stock_records_lock([r for ids in candidates.values() for r in ids])
        order = Order.objects.create(
            number=order_number(),
            user=user,
            idempotency_key=idempotency_key,
            is_cross_border=cross_border,
            subtotal=subtotal,
            tax_total=tax_total,
            total=total,
            ship_to={
                "recipient": address.recipient,
                "phone": address.phone,
                "address": address.one_line,
                "postal_code": address.postal_code,
            },
            buyer_name=identity.real_name if identity else "",
            buyer_id_number=identity.id_number if identity else "",
            payment_deadline=now + timedelta(minutes=settings.ORDER_PAYMENT_MINUTES),
        )
        for line, price in zip(lines, priced, strict=True):
            # Prefer the record this checkout holds; otherwise any record with enough free stock.
            ordered = sorted(candidates.get(line.sku_id, []), key=lambda rid: (rid not in own, rid))
            allocated_from = None
            for record_id in ordered:
                others = reserved_quantity(
                    record_id=record_id, exclude_token=token, exclude_user_id=user.pk, now=now
                )
                try:
                    with transaction.atomic():
                        stock_move(
                            record_id=record_id,
                            kind=StockMovement.Kind.ALLOCATED,
                            allocated_delta=line.quantity,
                            source=f"order:{order.number}",
                            keep_free=others,
                        )
                except InsufficientStock:
                    continue
                allocated_from = locked[record_id]
                break
            if allocated_from is None:
                raise InsufficientStock(
                    _("%(name)s sold out while you were checking out.") % {"name": str(line.sku)}
                )
            OrderLine.objects.create(
                order=order,
                sku=line.sku,
                warehouse_id=allocated_from.warehouse_id,
                product_name=line.sku.product.name,
                sku_name=line.sku.name,
                sku_code=line.sku.code,
                unit_price=price.unit_price,
                quantity=line.quantity,
                tax_rate=price.tax_rate,
                tax_amount=price.tax_amount,
                line_total=price.line_total,
                referral=line.referral,
            )
        OrderEvent.objects.create(order=order, to_state=Order.State.PENDING_PAYMENT, actor=user, message="")
        Reservation.objects.filter(Q(checkout_token=token) | Q(user=user)).delete()
        CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
        enqueue_on_commit("mall.tasks.order_expire_task", order.pk, eta=order.payment_deadline)
    return PlacedOrder(order, replayed=False)
