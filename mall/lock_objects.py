"""The only module that takes row locks (select_for_update) in the mall. Rows are always locked in
primary-key order, so two transactions that need the same rows queue instead of deadlocking."""

from __future__ import annotations

from collections.abc import Iterable

from mall.models import Order, StockRecord


def stock_records_lock(ids: Iterable[int]) -> dict[int, StockRecord]:
    rows = list(StockRecord.objects.select_for_update().filter(pk__in=set(ids)).order_by("pk"))
    return {row.pk: row for row in rows}


def stock_records_of_skus_lock(sku_ids: Iterable[int]) -> list[StockRecord]:
    """Every stock record of these SKUs, locked, in pk order (checkout: the candidates and their lock in
    one query)."""
    return list(StockRecord.objects.select_for_update().filter(sku_id__in=set(sku_ids)).order_by("pk"))


def order_lock(order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).first()


def _advisory_lock(name: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def account_orders_lock(user_id: int) -> None:
    """Serialise one account's order placements, so two at once cannot both pass the unpaid-order cap.
    Taken before ``quota_lock`` wherever both are taken."""
    _advisory_lock(f"orders:{user_id}")


def quota_lock(id_number_hash: str) -> None:
    """Serialise checkouts on one ID number (by its keyed hash) so two orders can't both fit in the last
    of a quota, nor both pass the identity's unpaid-order cap."""
    _advisory_lock(f"quota:{id_number_hash}")
