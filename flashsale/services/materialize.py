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

import redis
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Address, CustomsIdentity
from core import crypto
from core.tasks import enqueue_on_commit
from flashsale import keys
from flashsale.models import FlashSale
from flashsale.selectors.sales import published_sale_ids
from flashsale.services.redis import REDIS_ERRORS, client
from mall.models import Order
from mall.services.orders import order_expire
from mall.services.pricing import line_price, money

logger = logging.getLogger(__name__)
CONSUMER = f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Admission:
    message_id: str
    request_id: str
    user_id: int
    quantity: int
    # The field buy.lua counted the units under (keys.limit_field): the order is declared for that identity.
    limit_field: str = ""


def _parse(entries) -> list[Admission]:
    return [Admission(mid, f["rid"], int(f["uid"]), int(f["qty"]), f.get("lf", "")) for mid, f in entries]


def group_ensure(sale_id: int) -> None:
    """Create the sale's consumer group (and its stream) unless it exists."""
    try:
        client().xgroup_create(keys.stream(sale_id), keys.GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def sale_drain(*, sale_id: int, block_ms: int = 0, max_batches: int = 1000) -> int:
    """Materialise what is waiting in the sale's stream; returns how many admissions were handled."""
    r = client()
    group_ensure(sale_id)
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


def sales_drain_live() -> int:
    """Drain every published sale's stream (beat's safety net behind the consumer loop)."""
    return sum(sale_drain(sale_id=sale_id) for sale_id in published_sale_ids())


def orders_expire(*, order_ids: list[int]) -> int:
    """Expire the sale's orders still unpaid at their deadline; returns how many were cancelled (their
    units then come back to the sale through the mall's order_stock_released)."""
    return sum(order_expire(order_id=order_id) for order_id in order_ids)


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
    # Per buyer: the ship-to snapshot (JSON) from the default address, and the verified identity.
    addresses: dict[int, str] = {}
    for address in (
        Address.objects.filter(user_id__in=user_ids)
        .order_by("-is_default", "-id")
        .only("user_id", "recipient", "phone", "province", "city", "district", "detail", "postal_code")
    ):
        if address.user_id not in addresses:
            addresses[address.user_id] = _json(
                {"recipient": address.recipient, "phone": address.phone, "address": address.one_line, "postal_code": address.postal_code}
            )  # fmt: skip
    identities = buyer_identities(admissions) if sale.is_cross_border else {}
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
        enqueue_on_commit("flashsale.tasks.orders_expire_task", list(inserted.values()), eta=deadline)
    return len(admissions)


def buyer_identities(admissions: list[Admission]) -> dict[str, tuple[str, str, str]]:
    """Per admission (request id): the purchaser's (encrypted name, encrypted number, keyed hash), ready for
    the raw INSERT. The identity buy.lua counted the units under when it is still verified on the account,
    else the account's default verified one (as ``admission.buyer_identity_hash`` chose)."""
    by_user: dict[int, list[CustomsIdentity]] = {}
    verified = CustomsIdentity.objects.filter(
        user_id__in={a.user_id for a in admissions}, verified_at__isnull=False
    ).order_by("-is_default", "-id")
    for identity in verified.only("user_id", "real_name", "id_number", "id_number_hash"):
        by_user.setdefault(identity.user_id, []).append(identity)
    chosen: dict[str, tuple[str, str, str]] = {}
    for a in admissions:
        candidates = by_user.get(a.user_id, [])
        identity = next(
            (
                i
                for i in candidates
                if keys.limit_field(user_id=a.user_id, identity_hash=i.id_number_hash) == a.limit_field
            ),
            candidates[0] if candidates else None,
        )
        if identity is not None:
            chosen[a.request_id] = (
                crypto.encrypt(identity.real_name),
                crypto.encrypt(identity.id_number),
                identity.id_number_hash,
            )
    return chosen


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


# One statement per batch. {values} is replaced by rows that psycopg2 quoted itself (see _insert_orders).
_BATCH_INSERT = """
WITH admitted (number, user_id, idempotency_key, subtotal, tax_total, total, ship_to, buyer_name,
               buyer_id_number, buyer_id_hash, quantity, unit_price, tax_rate) AS (VALUES {values}),
new_orders AS (
    INSERT INTO mall_order (number, user_id, state, idempotency_key, is_cross_border, holds_own_stock,
        subtotal, tax_total, shipping_total, total, currency, ship_to, buyer_name, buyer_id_number,
        buyer_id_hash, payment_deadline, tracking_number, created_at, updated_at)
    SELECT number, user_id, %(state)s, idempotency_key, %(cross_border)s, false, subtotal, tax_total,
        0, total, 'CNY', ship_to, buyer_name, buyer_id_number, buyer_id_hash, %(deadline)s, '', %(now)s,
        %(now)s
    FROM admitted
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING id, user_id, idempotency_key
),
new_lines AS (
    INSERT INTO mall_orderline (order_id, sku_id, warehouse_id, product_name, sku_name, sku_code,
        unit_price, quantity, tax_rate, tax_amount, line_total, referral)
    SELECT o.id, %(sku)s, %(warehouse)s, %(product_name)s, %(sku_name)s, %(sku_code)s, a.unit_price,
        a.quantity, a.tax_rate, a.tax_total, a.total, %(referral)s
    FROM new_orders o JOIN admitted a USING (user_id, idempotency_key)
),
new_events AS (
    INSERT INTO mall_orderevent (order_id, from_state, to_state, actor_id, message, message_id,
        message_params, created_at)
    SELECT id, '', %(state)s, NULL, %(message)s, '', '{}'::jsonb, %(now)s FROM new_orders
)
SELECT id, idempotency_key FROM new_orders
"""


def _insert_orders(sale, admissions, addresses, identities, now, deadline) -> dict[str, int]:
    """One statement for the whole batch: INSERT the orders ON CONFLICT DO NOTHING RETURNING, and in
    the same statement their lines and first timeline events for the orders really inserted (a
    redelivered admission comes back empty). Only brand-new orders are returned."""
    if not admissions:
        return {}
    priced: dict[int, tuple] = {}  # quantity -> its price, computed once per batch
    day = timezone.localtime(now).strftime("%Y%m%d")
    rows = []
    for a in admissions:
        p = priced.get(a.quantity)
        if p is None:
            line = line_price(
                sku=sale.sku, quantity=a.quantity, unit_price=sale.price, referral=sale.referral
            )
            rate, tax = (line.tax_rate, line.tax_amount) if sale.is_cross_border else (Decimal("0"), money(0))
            p = priced[a.quantity] = (
                line.unit_price,
                line.line_subtotal,
                rate,
                tax,
                line.line_subtotal + tax,
            )
        unit_price, subtotal, rate, tax, total = p
        # Already encrypted (buyer_identities): this INSERT bypasses the model's fields.
        name, number, number_hash = identities.get(a.request_id, ("", "", ""))
        rows.append(
            (
                "HS" + day + secrets.token_hex(5).upper(), a.user_id, a.request_id, subtotal, tax, total,
                addresses.get(a.user_id, "{}"), name, number, number_hash, a.quantity, unit_price, rate,
            )
        )  # fmt: skip
    params = {
        "state": Order.State.PENDING_PAYMENT,
        "cross_border": sale.is_cross_border,
        "deadline": deadline,
        "now": now,
        "sku": sale.sku_id,
        "warehouse": sale.warehouse_id,
        "product_name": sale.sku.product.name,
        "sku_name": sale.sku.name,
        "sku_code": sale.sku.code,
        "referral": sale.referral,
        "message": str(sale)[:200],
    }
    with connection.cursor() as cursor:
        # The rows are quoted by psycopg2 itself (mogrify); their "%" are doubled for the second pass.
        values = b",".join(
            cursor.cursor.mogrify("(%s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s)", row)
            for row in rows
        ).decode()
        values = values.replace("%", "%%")
        cursor.execute(_BATCH_INSERT.replace("{values}", values), params)
        return {key: order_id for order_id, key in cursor.fetchall()}


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
