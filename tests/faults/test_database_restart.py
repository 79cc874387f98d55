"""PostgreSQL stopped and started again under live traffic, with real processes: gunicorn (config/gunicorn.py,
DEBUG=0) serving a throwaway PostgreSQL cluster of the test's own (initdb in a temporary directory, a free
loopback port; never the machine's server), shoppers reading, checking out and paying over HTTP while the
cluster goes down (``pg_ctl stop -m immediate``: a crash, open transactions lost) and comes back.

What must hold: while the database is away every answer is a clean 503 with Retry-After (core.views.
server_error), never a 500; the site serves again by itself once it is back; no partial order (every order
has its lines and its stock ledger movements, the ledger reconciles); no lost or doubled payment (every
webhook the site acknowledged is a succeeded payment of a paid order, and an order placed again with its
idempotency key after a 503 is one order). Clients retry a 503 as a browser or a gateway would."""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from dataclasses import dataclass, field

import pytest
import requests
from django.db import OperationalError, connection
from django.db.models import Sum
from rest_framework.authtoken.models import Token

from mall.models import Order, Payment, StockMovement
from mall.services.stock import stock_reconcile
from mall.tests.factories import buyer, shop_product
from tests.support.pgcluster import PgCluster, throwaway_cluster
from tests.support.processes import Gunicorn
from tests.support.tasks import wait_until
from tests.support.webhooks import WEBHOOK_URL, event_for, signed

pytestmark = pytest.mark.django_db(transaction=True)

SHOPPERS = 4
READERS = 2
OK = {200, 201, 202, 204}


@dataclass
class Traffic:
    answers: list[tuple[float, str, int | str, bool]] = field(
        default_factory=list
    )  # (t, path, status, Retry-After)
    placed: dict[str, str] = field(default_factory=dict)  # order number -> idempotency key
    acknowledged: set[str] = field(default_factory=set)  # payment references whose webhook answered 200
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, path: str, status, retry_after: bool) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), path, status, retry_after))

    def count(self, predicate) -> int:
        with self.lock:
            return sum(1 for a in self.answers if predicate(a))


@contextlib.contextmanager
def pointed_at(pg: PgCluster, name: str):
    """This process's database connections (every thread's) on the throwaway cluster."""
    saved = {k: connection.settings_dict[k] for k in ("HOST", "PORT", "NAME")}
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(pg.port), NAME=name)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def _orm(work, stop: threading.Event):
    """Read the database from a client thread, waiting out the outage."""
    while True:
        try:
            return work()
        except OperationalError:
            connection.close()
            if stop.is_set():
                raise
            time.sleep(0.2)  # the database is restarting: a client's back-off, not a synchronisation


def _until_answered(http, traffic: Traffic, stop: threading.Event, method: str, path: str, **kw):
    """One request, sent again after a 503 (as a browser or the gateway would) until it gets an answer."""
    deadline = time.monotonic() + 90
    while True:
        try:
            response = http.request(method, path, timeout=30, allow_redirects=False, **kw)
        except requests.ConnectionError as exc:
            traffic.record(path, type(exc).__name__, False)
            raise
        traffic.record(path, response.status_code, "Retry-After" in response.headers)
        if response.status_code != 503 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)  # Retry-After says 5 s; the test client is impatient


def _shopper(base: str, shopper: dict, traffic: Traffic, stop: threading.Event) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Token {shopper['token']}"

    def call(method, path, **kw):
        return _until_answered(http, traffic, stop, method, base + path, **kw)

    try:
        while not stop.is_set():
            if (
                call("POST", "/api/mall/cart/", json={"sku": shopper["sku"], "quantity": 1}).status_code
                != 201
            ):
                continue
            held = call("POST", "/api/mall/checkout/", json={"identity": shopper["identity"]})
            if held.status_code != 201:
                continue
            key = secrets.token_hex(8)  # the same key on every retry: one order however often it is sent
            body = {"token": held.json()["token"], "address": shopper["address"], "idempotency_key": key}
            placed = call("POST", "/api/mall/orders/", json=body)
            if placed.status_code not in (200, 201):
                continue
            number = placed.json()["number"]
            with traffic.lock:
                traffic.placed[number] = key
            if call("POST", f"/api/payments/orders/{number}/pay/").status_code != 201:
                continue
            payment = _orm(
                lambda n=number: Payment.objects.select_related("order").filter(order__number=n).latest("pk"),
                stop,
            )
            delivery, headers = signed(event_for(payment))
            answered = call(
                "POST", WEBHOOK_URL, data=delivery, headers={**headers, "Content-Type": "application/json"}
            )
            if answered.status_code == 200:
                with traffic.lock:
                    traffic.acknowledged.add(payment.reference)
    finally:
        connection.close()


def _reader(base: str, traffic: Traffic, stop: threading.Event) -> None:
    http = requests.Session()
    while not stop.is_set():
        for path in ("/api/mall/products/", "/api/notes/", "/api/mall/products/?q=cream"):
            _until_answered(http, traffic, stop, "GET", base + path)


def test_postgresql_restarted_under_traffic_answers_503_recovers_and_loses_nothing(tmp_path):
    with throwaway_cluster() as pg:
        _restarted_under_traffic(pg, tmp_path)


def _restarted_under_traffic(pg: PgCluster, tmp_path) -> None:
    web = None
    stop = threading.Event()
    threads: list[threading.Thread] = []
    traffic = Traffic()
    try:
        pg.copy_database(connection.settings_dict, "hongshu")  # the migrated (empty) test database
        with pointed_at(pg, "hongshu"):
            _product, (sku,) = shop_product(prices=("20.00",), stock=100_000, is_cross_border=False)
            shoppers = []
            for _ in range(SHOPPERS):
                user, address, identity = buyer()
                token = Token.objects.create(user=user).key
                shoppers.append(
                    {"token": token, "address": address.pk, "identity": identity.pk, "sku": sku.pk}
                )

            web = Gunicorn(env={"DATABASE_URL": pg.url("hongshu")}, log=tmp_path / "gunicorn.log").start()
            assert wait_until(lambda: _up(web.base), timeout=60), (tmp_path / "gunicorn.log").read_text()[
                -2000:
            ]
            threads = [
                threading.Thread(target=_shopper, args=(web.base, s, traffic, stop), daemon=True)
                for s in shoppers
            ] + [
                threading.Thread(target=_reader, args=(web.base, traffic, stop), daemon=True)
                for _ in range(READERS)
            ]
            for t in threads:
                t.start()
            assert wait_until(lambda: len(traffic.acknowledged) >= 3, timeout=90), traffic.answers[-20:]

            # The fault: the cluster crashes (open transactions lost) and stays down until the clients saw it.
            down_at = time.monotonic()
            pg.stop("immediate")
            assert wait_until(
                lambda: traffic.count(lambda a: a[0] > down_at and a[2] == 503) >= 10, timeout=60
            )
            pg.start()
            up_at = time.monotonic()
            paid_before = len(traffic.acknowledged)
            assert wait_until(lambda: len(traffic.acknowledged) >= paid_before + 3, timeout=90), (
                traffic.answers[-20:]
            )
            stop.set()
            for t in threads:
                t.join(timeout=120)

            answers = list(traffic.answers)
            statuses = [a[2] for a in answers]
            failures = [a for a in answers if a[2] not in OK and a[2] != 503]
            unavailable = [a for a in answers if a[2] == 503]
            recovered_s = min(a[0] for a in answers if a[0] > up_at and a[2] in OK) - up_at
            figures = (
                f"{len(answers)} requests, {len(unavailable)} answered 503 (all with Retry-After: "
                f"{all(a[3] for a in unavailable)}), {len(failures)} other errors, database down "
                f"{up_at - down_at:.1f} s, first success {recovered_s:.2f} s after it was back, "
                f"{len(traffic.placed)} orders placed, {len(traffic.acknowledged)} payments acknowledged"
            )
            print(f"PostgreSQL restart under traffic: {figures}")

            assert failures == [], figures  # no 500, no transport error, nothing but a clean 503
            assert unavailable and all(a[3] for a in unavailable), figures
            outside = [a for a in unavailable if not down_at <= a[0] <= up_at + 30]
            assert outside == [], (outside, down_at, up_at)  # only while it was away
            assert 500 not in statuses

            connection.close()  # this thread's connection died with the server
            # No partial order: every order has its lines, and its units are on the stock ledger.
            orders = list(Order.objects.prefetch_related("lines"))
            assert {o.number for o in orders} == set(traffic.placed), "an order was lost or made twice"
            assert len({(o.user_id, o.idempotency_key) for o in orders}) == len(orders)
            for order in orders:
                lines = list(order.lines.all())
                assert lines, f"order {order.number} has no lines"
                allocated = StockMovement.objects.filter(
                    source=f"order:{order.number}", kind=StockMovement.Kind.ALLOCATED
                ).aggregate(n=Sum("allocated_delta"))["n"]
                assert allocated == sum(line.quantity for line in lines), (
                    f"order {order.number} off the ledger"
                )
            assert stock_reconcile() == []

            # No lost payment, none counted twice.
            succeeded = Payment.objects.filter(state=Payment.State.SUCCEEDED)
            assert set(succeeded.values_list("reference", flat=True)) >= traffic.acknowledged
            assert all(p.order.state == Order.State.PAID for p in succeeded.select_related("order")), (
                "a payment succeeded on an order that is not paid"
            )
            assert succeeded.values("order_id").distinct().count() == succeeded.count()
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        if web is not None:
            web.stop()


def _up(base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False
