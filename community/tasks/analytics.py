"""Analytics tasks: the hourly product-buzz recompute (see CELERY_BEAT_SCHEDULE, which sends it to the
"default" queue with the other periodic community recomputes)."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def product_buzz_recompute() -> int:
    """Rewrite the buzz table from the raw rows; running it twice gives the same table."""
    from community.services.buzz import product_buzz_recompute as recompute

    return recompute().products
