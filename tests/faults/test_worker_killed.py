"""A Celery worker killed mid-task (SIGKILL to its whole process group): the broker hands the task out again
once its visibility timeout passes, a new worker runs it, and its effects apply exactly once.

The task is the flash-sale drain (``flashsale.tasks.sale_drain_task``, what beat sends every 5 s), parked in
the worker's pool process at a known point (settings.FLASHSALE_TEST_PARK_AT) and killed there: before its
transaction commits (nothing applied yet) and after the commit, before the stream acknowledgement (applied,
not acknowledged). Nothing else drains the sale here (no beat, no materialiser), so the orders that appear
after the kill are the redelivered task's work. The test workers' visibility timeout is 3 s instead of
production's 10 minutes (CELERY_VISIBILITY_TIMEOUT); the test waits by polling with a deadline."""

from __future__ import annotations

import json
import time

import pytest
import redis
from django.db.models import Sum

from config.celery import app
from flashsale import keys
from flashsale.models import FlashSale
from flashsale.selectors.figures import sale_figures
from flashsale.services import admission
from flashsale.services.redis import client
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order, OrderLine
from mall.tests.factories import buyer
from tests.support.processes import CeleryWorker
from tests.support.tasks import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

UNITS = 6
# The restarted worker's broker hands out deliveries unacknowledged for this long (and looks every second).
TEST_VISIBILITY_TIMEOUT = "3"


def _held_by_a_worker(task_id: str) -> bool:
    """The broker's record of deliveries not acknowledged yet (kombu's ``unacked`` hash) holds the task."""
    broker = redis.Redis.from_url(app.conf.broker_url)
    return any(json.loads(raw)[0]["headers"]["id"] == task_id for raw in broker.hvals("unacked"))


def _orders(sale) -> int:
    return Order.objects.filter(lines__referral=sale.referral).count()


@pytest.mark.parametrize("point", ["before_commit", "before_ack"])
def test_a_task_killed_mid_way_runs_again_on_a_new_worker_and_applies_once(point, tmp_path):
    sale = live_sale(quota=20)
    for _ in range(UNITS):
        user, *_ = buyer()
        assert buy(sale, user).status == admission.ADMITTED
    park = tmp_path / "parked"
    log = tmp_path / "workers.log"
    common = {"CELERY_VISIBILITY_TIMEOUT": TEST_VISIBILITY_TIMEOUT, "CELERY_TASK_TIME_LIMIT": "120"}

    doomed = CeleryWorker(
        name="doomed",
        queues=["flashsale"],
        log=log,
        env={**common, "FLASHSALE_TEST_PARK_AT": point, "FLASHSALE_TEST_PARK_FILE": str(park)},
    ).start()
    try:
        task_id = app.send_task("flashsale.tasks.sale_drain_task", args=[sale.pk]).id
        assert wait_until(park.exists, timeout=60), log.read_text()[-3000:]
        assert _held_by_a_worker(task_id)  # delivered, not acknowledged (acks_late)
        # Mid-way: before_commit, the batch's transaction is open (invisible); before_ack, committed.
        assert _orders(sale) == (0 if point == "before_commit" else UNITS)
        doomed.kill9()
    finally:
        doomed.stop()
    killed_at = time.monotonic()
    assert client().xpending(keys.stream(sale.pk), keys.GROUP)["pending"] == UNITS

    # The redelivered drain reclaims the dead consumer's entries at once (FLASHSALE_RECLAIM_IDLE_MS).
    with CeleryWorker(
        name="survivor", queues=["flashsale"], log=log, env={**common, "FLASHSALE_RECLAIM_IDLE_MS": "100"}
    ):
        settled = wait_until(
            lambda: (
                client().xpending(keys.stream(sale.pk), keys.GROUP)["pending"] == 0 and _orders(sale) == UNITS
            ),
            timeout=90,
            interval=0.2,
        )
        recovered_s = time.monotonic() - killed_at
        # The same delivery ran to its end on the new worker, which acknowledged it (acks_late: only then).
        assert wait_until(lambda: not _held_by_a_worker(task_id), timeout=30)
    assert settled, log.read_text()[-3000:]
    print(f"worker killed {point}: the task ran again and settled {recovered_s:.1f} s after the kill")

    # Exactly once: one order per admission, the sale counted each unit once, the books balance.
    sale = FlashSale.objects.get(pk=sale.pk)
    orders = Order.objects.filter(lines__referral=sale.referral)
    assert orders.values("user_id", "idempotency_key").distinct().count() == orders.count() == UNITS
    assert OrderLine.objects.filter(referral=sale.referral).aggregate(n=Sum("quantity"))["n"] == UNITS
    assert sale.sold == UNITS
    figures = sale_figures(sale=sale)
    assert (figures.redis_stock, figures.waiting, figures.live_orders, figures.drift) == (
        20 - UNITS,
        0,
        UNITS,
        0,
    )
    outcomes = client().hgetall(keys.outcomes(sale.pk))
    assert len(outcomes) == UNITS and all(v.startswith("order:") for v in outcomes.values())
