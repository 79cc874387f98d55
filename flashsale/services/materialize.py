"""Admissions become orders: a consumer group drains each sale's stream in batches.

For each batch, in one transaction: insert the orders with ON CONFLICT (user, idempotency key) DO
NOTHING, then count only the rows really inserted with ``sold = sold + n WHERE sold + n <= quota``;
commit; then XACK. A crash before XACK redelivers the batch and the conflict clause makes the retry
harmless. If Redis ever admitted more than the quota, the UPDATE refuses and those buyers are told
"sold out" definitively.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from psycopg2.extras import execute_values

from accounts.models import Address, CustomsIdentity
from flashsale import keys
from flashsale.models import FlashSale
from flashsale.services.redis import REDIS_ERRORS, client
from mall.models import Order, OrderEvent, OrderLine
from mall.services.pricing import line_price, money

logger = logging.getLogger(__name__)
CONSUMER = f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Admission:
    message_id: str
    request_id: str
    user_id: int
    quantity: int


def _parse(entries) -> list[Admission]:
    return [Admission(mid, f["rid"], int(f["uid"]), int(f["qty"])) for mid, f in entries]


def sale_drain(*, sale_id: int, block_ms: int = 0, max_batches: int = 1000) -> int:
    """Materialise what is waiting in the sale's stream; returns how many admissions were handled."""
    r = client()
    from flashsale.services.sales import _ensure_group

    _ensure_group(sale_id)
    handled = 0
    # First our own and dead consumers' unacknowledged entries, then new ones.
    reclaimed = _reclaim(sale_id)
    if reclaimed:
        handled += materialize_batch(sale_id=sale_id, admissions=reclaimed)
    for _ in range(max_batches):
        response = r.xreadgroup(
            keys.GROUP, CONSUMER, {keys.stream(sale_id): ">"}, count=settings.FLASHSALE_BATCH_SIZE,
            block=block_ms or None,
        )  # fmt: skip
        if not response:
            break
        admissions = _parse(response[0][1])
        if not admissions:
            break
        handled += materialize_batch(sale_id=sale_id, admissions=admissions)
        block_ms = 0
    return handled


def _reclaim(sale_id: int) -> list[Admission]:
    r = client()
    out: list[Admission] = []
    start = "0-0"
    while True:
        result = r.xautoclaim(
            keys.stream(sale_id), keys.GROUP, CONSUMER, min_idle_time=settings.FLASHSALE_RECLAIM_IDLE_MS, start_id=start,
            count=settings.FLASHSALE_BATCH_SIZE,
        )  # fmt: skip
        next_start, entries = result[0], result[1]
        out += _parse([e for e in entries if e and e[1]])
        if next_start in ("0-0", start) or not entries:
            break
        start = next_start
    # Our own pending entries (a previous run of this process died before XACK).
    own = r.xreadgroup(keys.GROUP, CONSUMER, {keys.stream(sale_id): "0"}, count=settings.FLASHSALE_BATCH_SIZE)
    if own:
        out += _parse([e for e in own[0][1] if e[1]])
    seen: set[str] = set()
    return [a for a in out if not (a.message_id in seen or seen.add(a.message_id))]


class _OverQuota(Exception):
    pass


def materialize_batch(*, sale_id: int, admissions: list[Admission]) -> int:
    if not admissions:
        return 0
    sale = FlashSale.objects.select_related("sku__product__tax_category").get(pk=sale_id)
    user_ids = {a.user_id for a in admissions}
    addresses: dict[int, Address] = {}
    for address in Address.objects.filter(user_id__in=user_ids).order_by("-is_default", "-id"):
        addresses.setdefault(address.user_id, address)
    identities: dict[int, CustomsIdentity] = {}
    verified = CustomsIdentity.objects.filter(user_id__in=user_ids, verified_at__isnull=False)
    for identity in verified.order_by("-is_default", "-id"):
        identities.setdefault(identity.user_id, identity)
    now = timezone.now()
    deadline = now + timedelta(minutes=settings.FLASHSALE_PAYMENT_MINUTES)
    refused: list[str] = []
    try:
        with transaction.atomic(durable=True):
            inserted = _insert_orders(sale, admissions, addresses, identities, now, deadline)
            units = sum(a.quantity for a in admissions if a.request_id in inserted)
            if units and not FlashSale.objects.filter(pk=sale_id, sold__lte=F("quota") - units).update(
                sold=F("sold") + units
            ):
                raise _OverQuota
            _park("before_commit")
    except _OverQuota:
        # Redis admitted more than the quota allows: keep what fits, in admission order.
        inserted, refused = _materialize_one_by_one(sale, admissions, addresses, identities, now, deadline)
    outcomes = {request_id: f"order:{order_id}" for request_id, order_id in inserted.items()}
    outcomes.update(dict.fromkeys(refused, "sold_out"))
    for a in admissions:
        if a.request_id not in outcomes:
            outcomes[a.request_id] = _existing_outcome(a)  # a redelivered entry: its order exists
    _park("before_ack")
    _acknowledge(sale_id, admissions, outcomes)
    if inserted:
        from flashsale.tasks import orders_expire_at_deadline

        orders_expire_at_deadline.apply_async(args=[list(inserted.values())], eta=deadline)
    return len(admissions)


def _park(point: str) -> None:
    """Fault tests stop a materialiser exactly here, to kill it with SIGKILL (see settings)."""
    if point != settings.FLASHSALE_TEST_PARK_AT:
        return
    Path(settings.FLASHSALE_TEST_PARK_FILE).write_text(str(os.getpid()))
    while True:
        signal.pause()


def _existing_outcome(admission: Admission) -> str:
    order_id = (
        Order.objects.filter(user_id=admission.user_id, idempotency_key=admission.request_id)
        .values_list("pk", flat=True)
        .first()
    )
    return f"order:{order_id}" if order_id else "sold_out"


def _materialize_one_by_one(sale, admissions, addresses, identities, now, deadline):
    inserted: dict[str, int] = {}
    refused: list[str] = []
    for admission in admissions:
        with transaction.atomic(durable=True):
            one = _insert_orders(sale, [admission], addresses, identities, now, deadline)
            if not one:
                continue
            if FlashSale.objects.filter(pk=sale.pk, sold__lte=F("quota") - admission.quantity).update(
                sold=F("sold") + admission.quantity
            ):
                inserted.update(one)
            else:
                transaction.set_rollback(True)
                refused.append(admission.request_id)
                logger.warning("sale %s: refused over-admission %s", sale.pk, admission.request_id)
    return inserted, refused


def _insert_orders(sale, admissions, addresses, identities, now, deadline) -> dict[str, int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: only brand-new orders come back."""
    rows = []
    priced = {}
    for a in admissions:
        line = line_price(sku=sale.sku, quantity=a.quantity, unit_price=sale.price, referral=sale.referral)
        if not sale.is_cross_border:
            line = line.__class__(
                line.sku,
                line.quantity,
                line.unit_price,
                line.line_subtotal,
                Decimal("0"),
                money(0),
                line.referral,
            )
        priced[a.request_id] = line
        address = addresses.get(a.user_id)
        identity = identities.get(a.user_id) if sale.is_cross_border else None
        ship_to = (
            {"recipient": address.recipient, "phone": address.phone, "address": address.one_line, "postal_code": address.postal_code}
            if address
            else {}
        )  # fmt: skip
        rows.append(
            (
                "HS" + timezone.localtime(now).strftime("%Y%m%d") + secrets.token_hex(5).upper(),
                a.user_id,
                Order.State.PENDING_PAYMENT,
                a.request_id,
                sale.is_cross_border,
                False,
                line.line_subtotal,
                line.tax_amount,
                money(0),
                line.line_total,
                "CNY",
                _json(ship_to),
                identity.real_name if identity else "",
                identity.id_number if identity else "",
                deadline,
                "",
                now,
                now,
            )
        )
    with connection.cursor() as cursor:
        result = execute_values(
            cursor.cursor,
            """
            INSERT INTO mall_order (number, user_id, state, idempotency_key, is_cross_border, holds_own_stock,
                subtotal, tax_total, shipping_total, total, currency, ship_to, buyer_name, buyer_id_number,
                payment_deadline, tracking_number, created_at, updated_at)
            VALUES %s
            ON CONFLICT (user_id, idempotency_key) DO NOTHING
            RETURNING id, idempotency_key
            """,
            rows,
            template="(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)",
            fetch=True,
        )
    inserted = {key: order_id for order_id, key in result}
    if inserted:
        lines, events = [], []
        for a in admissions:
            order_id = inserted.get(a.request_id)
            if order_id is None:
                continue
            p = priced[a.request_id]
            lines.append(
                OrderLine(
                    order_id=order_id, sku=sale.sku, warehouse_id=sale.warehouse_id,
                    product_name=sale.sku.product.name, sku_name=sale.sku.name, sku_code=sale.sku.code,
                    unit_price=p.unit_price, quantity=a.quantity, tax_rate=p.tax_rate, tax_amount=p.tax_amount,
                    line_total=p.line_total, referral=sale.referral,
                )
            )  # fmt: skip
            events.append(
                OrderEvent(order_id=order_id, to_state=Order.State.PENDING_PAYMENT, message=str(sale))
            )
        OrderLine.objects.bulk_create(lines)
        OrderEvent.objects.bulk_create(events)
    return inserted


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _acknowledge(sale_id: int, admissions: list[Admission], outcomes: dict[str, str]) -> None:
    try:
        pipe = client().pipeline(transaction=False)
        pipe.hset(keys.outcomes(sale_id), mapping=outcomes)
        pipe.xack(keys.stream(sale_id), keys.GROUP, *[a.message_id for a in admissions])
        pipe.xdel(keys.stream(sale_id), *[a.message_id for a in admissions])
        pipe.execute()
    except REDIS_ERRORS:
        # Orders are committed; a redelivery finds them (ON CONFLICT) and acknowledges then.
        logger.warning("sale %s: could not acknowledge %d admissions yet", sale_id, len(admissions))
