"""Every change to stock: one conditional UPDATE checked by its result, plus one ledger row.

``on_hand`` and ``allocated`` always equal the sums of their movements (``stock_reconcile`` proves it);
the CHECK constraints on StockRecord stand behind the conditions written here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils.translation import gettext as _

from core import metrics
from core.errors import DomainError
from mall.errors import InsufficientStock
from mall.models import Reservation, Sku, StockMovement, StockRecord, Warehouse

logger = logging.getLogger(__name__)
Kind = StockMovement.Kind

_MOVE_SQL = """
UPDATE mall_stockrecord
   SET on_hand = on_hand + %(on_hand)s, allocated = allocated + %(allocated)s
 WHERE id = %(id)s
   AND on_hand + %(on_hand)s >= 0
   AND allocated + %(allocated)s >= 0
   AND allocated + %(allocated)s <= on_hand + %(on_hand)s
   AND on_hand + %(on_hand)s - allocated - %(allocated)s >= %(keep_free)s
RETURNING on_hand, allocated
"""


def stock_move(
    *,
    record_id: int,
    kind: str,
    on_hand_delta: int = 0,
    allocated_delta: int = 0,
    quantity: int | None = None,
    actor=None,
    source: str = "",
    reason: str = "",
    keep_free: int | None = None,
) -> StockMovement:
    """Apply deltas to one stock record and append the ledger row, in the caller's transaction.

    ``keep_free`` demands that at least that many units stay unallocated afterwards (used to respect
    other buyers' live reservations). Raises InsufficientStock when the conditions fail.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("stock_move must run inside a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            _MOVE_SQL,
            {
                "id": record_id,
                "on_hand": on_hand_delta,
                "allocated": allocated_delta,
                "keep_free": -(10**9) if keep_free is None else keep_free,
            },
        )
        row = cursor.fetchone()
    if row is None:
        raise InsufficientStock(_("Not enough stock for this change."))
    return StockMovement.objects.create(
        stock_record_id=record_id,
        kind=kind,
        on_hand_delta=on_hand_delta,
        allocated_delta=allocated_delta,
        quantity=quantity if quantity is not None else abs(on_hand_delta or allocated_delta),
        on_hand_after=row[0],
        allocated_after=row[1],
        actor=actor,
        source=source,
        reason=reason,
    )


def stock_record_for(*, sku: Sku, warehouse: Warehouse) -> StockRecord:
    record, _created = StockRecord.objects.get_or_create(sku=sku, warehouse=warehouse)
    return record


def reserved_quantity(
    *, record_id: int, exclude_token: str | None = None, exclude_user_id: int | None = None, now=None
) -> int:
    """Units held by unexpired reservations on a record (other checkouts' when ``exclude_token``, other
    shoppers' when ``exclude_user_id``)."""
    qs = Reservation.objects.live(now).filter(stock_record_id=record_id)
    if exclude_token:
        qs = qs.exclude(checkout_token=exclude_token)
    if exclude_user_id is not None:
        qs = qs.exclude(user_id=exclude_user_id)
    return qs.aggregate(total=Sum("quantity"))["total"] or 0


def reserved_by_record(*, record_ids, now=None) -> dict[int, int]:
    """Units held by unexpired reservations on each of ``record_ids`` (absent: none), in one query."""
    rows = (
        Reservation.objects.live(now)
        .filter(stock_record_id__in=set(record_ids))
        .values_list("stock_record_id")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return dict(rows)


def available_quantity(record: StockRecord, *, reserved: int) -> int:
    return max(0, record.on_hand - record.allocated - reserved)


def stock_adjust(*, record: StockRecord, delta: int, reason: str, actor) -> StockMovement:
    """An operator's correction: a new ledger row with a required reason, never an edit."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the stock changes."), field="reason")
    if delta == 0:
        raise DomainError(_("The adjustment must change the quantity."), field="delta")
    with transaction.atomic(durable=True):
        keep_free = None
        if delta < 0:
            # Taking units away must leave the live checkout holds covered (same lock as checkout).
            from mall import lock_objects

            lock_objects.stock_records_lock([record.pk])
            keep_free = reserved_quantity(record_id=record.pk)
        return stock_move(
            record_id=record.pk,
            kind=Kind.ADJUSTED,
            on_hand_delta=delta,
            actor=actor,
            reason=reason,
            source="admin",
            keep_free=keep_free,
        )


@dataclass(frozen=True)
class Drift:
    record_id: int
    on_hand: int
    on_hand_ledger: int
    allocated: int
    allocated_ledger: int


def stock_reconcile() -> list[Drift]:
    """Compare every stock record with the sum of its movements; log and return the differences."""
    rows = StockRecord.objects.annotate(
        on_hand_ledger=Sum("movements__on_hand_delta", default=0),
        allocated_ledger=Sum("movements__allocated_delta", default=0),
    ).filter(~Q(on_hand=F("on_hand_ledger")) | ~Q(allocated=F("allocated_ledger")))
    drifts = [
        Drift(r.pk, r.on_hand, r.on_hand_ledger, r.allocated, r.allocated_ledger)
        for r in rows.only("id", "on_hand", "allocated")
    ]
    for d in drifts:
        logger.error(
            "stock drift on record %s: on_hand %s vs ledger %s, allocated %s vs ledger %s",
            d.record_id, d.on_hand, d.on_hand_ledger, d.allocated, d.allocated_ledger,
        )  # fmt: skip
    if not drifts:
        logger.info("stock reconciled: no drift")
    metrics.stock_drift_records.set(len(drifts))
    metrics.stock_reconciled_at.set_to_current_time()
    return drifts
