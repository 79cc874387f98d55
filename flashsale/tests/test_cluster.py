"""Issue 5 acceptance on a Redis Cluster: a local three-master cluster on loopback ports (redis-server
with cluster mode, joined by ``redis-cli --cluster create``), a whole sale through it, the same books.

Every key of a sale carries the hash tag ``{fs:<id>}``, so the buy script, the stream and the outcome
hash live in one slot; the rate-limit and readiness keys live anywhere and are only ever touched by
single-key commands or a non-transactional pipeline, which the cluster client splits per node."""

from __future__ import annotations

import pytest

from flashsale import keys
from flashsale.services import admission, sales
from flashsale.services.redis import client, reset
from flashsale.tests.harness import (
    Consumer,
    Job,
    assert_books,
    buyers_bulk,
    final,
    flash_purchase,
    ip_for,
    rush,
    wait_settled,
)
from flashsale.tests.helpers import live_sale
from flashsale.tests.redis_servers import RedisCluster3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_cluster(tmp_path, settings):
    cluster = RedisCluster3(tmp_path / "cluster")
    try:
        cluster.start()
        settings.FLASHSALE_REDIS_CLUSTER = True
        settings.FLASHSALE_REDIS_URL = cluster.url
        settings.FLASHSALE_REDIS_POOL_WAIT = 30
        reset()
        yield cluster
    finally:
        reset()
        cluster.stop()


def test_a_sale_on_a_three_master_cluster_keeps_the_books(redis_cluster):
    from redis.cluster import RedisCluster

    r = client()
    assert isinstance(r, RedisCluster) and len(r.get_primaries()) == 3
    sale = live_sale(quota=100, stock=120, per_user_limit=1)
    assert len({r.keyslot(k) for k in keys.sale_keys(sale.pk)}) == 1  # one slot for the whole sale
    buyer_ids = buyers_bulk(600)
    # The readiness keys are spread over the three masters, as the rate-limit keys are.
    assert len({r.keyslot(admission.buyer_readiness_key(u)) // 5462 for u in buyer_ids}) == 3

    with Consumer():
        result = rush(flash_purchase, sale_id=sale.pk, jobs=[Job(u) for u in buyer_ids])
        wait_settled(sale.pk)
    assert result.final_statuses == {admission.ADMITTED: 100, admission.SOLD_OUT: 500}, result.statuses
    b = assert_books(sale, reconcile=False)
    assert (b.orders, b.distinct_buyers, b.sold, b.redis_stock, b.drift) == (100, 100, 100, 0, 0)

    # A retry answers from the cluster's memory of the request id.
    uid, rid, _status = next(a for a in result.answers if final(a[2]) == admission.ADMITTED)
    again = admission.flash_buy(sale_id=sale.pk, user_id=uid, request_id=rid, ip=ip_for(uid))
    assert (again.status, again.first) == (admission.ADMITTED, False)

    # The cluster loses the sale: admission fails closed, reconcile rebuilds it in its slot.
    r.delete(*keys.sale_keys(sale.pk))
    admission.sold_out_forget(sale.pk)
    assert admission.flash_buy(
        sale_id=sale.pk, user_id=uid, request_id="after-loss-1", ip="127.0.0.1"
    ).status == (admission.NOT_LOADED)
    figures = sales.sale_reconcile(sale=sale)
    assert (figures.redis_stock, figures.drift) == (0, 0)
    assert admission.flash_buy(
        sale_id=sale.pk, user_id=uid, request_id="after-loss-2", ip="127.0.0.1"
    ).status == (admission.OVER_LIMIT)

    # The end: unsold units go back through the ledger, the books still balance.
    sales.sale_end(sale=sale)
    b = assert_books(sale)
    assert (b.quota, b.sold) == (100, 100)
