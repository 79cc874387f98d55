"""The flash-sale load and fault harness: many buyers at once, then the books checked to the unit.

- ``buyers_bulk`` makes thousands of ready buyers in a few bulk INSERTs (one shared password hash) and
  warms their readiness in Redis, so the buy path makes no database query.
- ``rush`` fires purchase jobs from threads in several forked processes released together by a
  barrier, and returns every answer plus how many threads opened a database connection (the flash buy
  path must open none: PostgreSQL allows 100 connections and 2,000 buyers are at the door).
- ``Consumer`` runs the real materialiser (``manage.py flashsale_consumer``) as a subprocess against the
  test database, so it can be killed with SIGKILL like a production worker.
- ``books`` / ``assert_books`` check the invariants: never more sold than the quota, one order per
  request id, orders and the sold counter agree, drift 0, the stock ledger reconciles.

The purchase under test is any callable ``purchase(*, sale_id, user_id, request_id, ip, quantity) -> str``:
``flash_purchase`` below (the product) or ``benchmarks.naive_purchase.naive_purchase`` (the baseline
that must be caught overselling).
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.models import Count, Sum
from django.utils import timezone

from core.db import database_url
from core.errors import DomainError
from flashsale import keys
from flashsale.models import FlashSale
from flashsale.selectors import figures as figures_selectors
from flashsale.services import admission, sales
from flashsale.services.redis import client, reset
from flashsale.tests.redis_servers import wait_until
from mall.models import Order, OrderLine
from tests.support.processes import ChildProcess

ROOT = Path(__file__).resolve().parents[2]


# --- buyers ---------------------------------------------------------------------------------------------


def buyers_bulk(count: int, *, ready: bool = True) -> list[int]:
    """``count`` users, each with a default address and a verified customs identity; returns their ids."""
    from accounts.models import Address, CustomsIdentity, User
    from accounts.tests.factories import password_hash, valid_id_number

    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        User(username=f"rush-{tag}-{i}", nickname=f"Buyer {i}", password=password_hash())
        for i in range(count)
    )
    ids = [u.pk for u in users]
    now = timezone.now()
    Address.objects.bulk_create(
        Address(user_id=uid, recipient="张三", phone="13800138000", province="上海市", city="上海市",
                district="静安区", detail="南京西路 1 号", postal_code="200040", is_default=True)
        for uid in ids
    )  # fmt: skip
    CustomsIdentity.objects.bulk_create(
        CustomsIdentity(user_id=uid, real_name="张三", id_number=valid_id_number(uid), is_default=True,
                        verified_at=now)
        for uid in ids
    )  # fmt: skip
    if ready:
        readiness_warm(ids)
    return ids


def readiness_warm(user_ids: Iterable[int]) -> None:
    """What ``admission.buyer_readiness_refresh`` would cache: address and identity present (the identity
    a cross-border sale counts units under after the bar)."""
    from accounts.models import CustomsIdentity
    from flashsale import keys

    user_ids = list(user_ids)
    hashes = dict(
        CustomsIdentity.objects.filter(user_id__in=user_ids, verified_at__isnull=False).values_list(
            "user_id", "id_number_hash"
        )
    )
    pipe = client().pipeline(transaction=False)
    for uid in user_ids:
        field = keys.limit_field(user_id=uid, identity_hash=hashes[uid]) if uid in hashes else ""
        pipe.set(admission.buyer_readiness_key(uid), f"ai|{field}" if field else "ai", ex=600)
    pipe.execute()


def ip_for(user_id: int) -> str:
    """A distinct loopback-range address per buyer, so the per-IP rate limit sees many clients."""
    return f"127.{(user_id >> 16) & 255}.{(user_id >> 8) & 255}.{user_id & 255}"


# --- purchases ------------------------------------------------------------------------------------------


def flash_purchase(*, sale_id: int, user_id: int, request_id: str, ip: str, quantity: int = 1) -> str:
    """The product's buy path; a repeated request id answers ``duplicate:<first answer>``.
    HARNESS_DEBUG=1 in the environment shows what lay behind each 503 (the Redis error)."""
    try:
        answer = admission.flash_buy(
            sale_id=sale_id, user_id=user_id, request_id=request_id, ip=ip, quantity=quantity
        )
    except DomainError as exc:
        if os.environ.get("HARNESS_DEBUG") and exc.__context__ is not None:
            return f"{exc.code}:{type(exc.__context__).__name__}:{exc.__context__}"[:120]
        return exc.code  # unavailable (503), rate_limited (429), needs_identity ...
    return answer.status if answer.first else f"duplicate:{answer.status}"


RETRYABLE = {"unavailable", "rate_limited"}


def flash_purchase_retrying(
    *, sale_id: int, user_id: int, request_id: str, ip: str, quantity: int = 1, within: float = 30.0
) -> str:
    """A buyer's page: on 503 "try again" (or 429) it sends the same request id again, backing off,
    until it gets a definite answer. Answers that needed a retry are prefixed ``retried:``."""
    deadline = time.monotonic() + within
    attempt = 0
    while True:
        status = flash_purchase(
            sale_id=sale_id, user_id=user_id, request_id=request_id, ip=ip, quantity=quantity
        )
        if status.split(":")[0] not in RETRYABLE or time.monotonic() > deadline:
            return f"retried:{status}" if attempt else status
        attempt += 1
        time.sleep(min(0.05 * attempt, 0.3))  # a client's back-off between retries, not synchronisation


def final(status: str) -> str:
    """The answer a buyer ended with, whether or not it needed retries."""
    return status.removeprefix("retried:").removeprefix("duplicate:")


@dataclass(frozen=True)
class Job:
    user_id: int
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    quantity: int = 1


@dataclass
class RushResult:
    answers: list[tuple[int, str, str]]  # (user_id, request_id, status) for every job
    seconds: float
    db_connections: int  # threads whose purchases opened a database connection

    def count(self, status: str) -> int:
        return sum(1 for _u, _r, s in self.answers if s == status)

    @property
    def statuses(self) -> Counter:
        return Counter(s for _u, _r, s in self.answers)

    @property
    def final_statuses(self) -> Counter:
        return Counter(final(s) for _u, _r, s in self.answers)

    @property
    def retried(self) -> int:
        return sum(1 for _u, _r, s in self.answers if s.startswith("retried:"))

    def users_with(self, status: str) -> set[int]:
        return {u for u, _r, s in self.answers if final(s) == status}


def _child(purchase, sale_id, jobs_by_thread, start_barrier, results, index):
    # A forked child: the parent closed its database connections before forking, and the Redis client
    # is made anew here rather than shared with the parent, once, before the threads start (as a web
    # worker has its client after its first request; a cluster client learns the slots here).
    reset()
    client()
    answers: list[tuple[int, str, str]] = []
    opened = 0
    lock = threading.Lock()
    ready = threading.Barrier(len(jobs_by_thread) + 1)
    go = threading.Event()

    def worker(jobs: list[Job]):
        nonlocal opened
        mine = []
        try:
            ready.wait(timeout=60)
            go.wait(timeout=60)
            for job in jobs:
                try:
                    status = purchase(
                        sale_id=sale_id, user_id=job.user_id, request_id=job.request_id,
                        ip=ip_for(job.user_id), quantity=job.quantity,
                    )  # fmt: skip
                except Exception as exc:  # noqa: BLE001 - the harness reports what each buyer got
                    status = f"error:{type(exc).__name__}:{exc}"[:200]
                mine.append((job.user_id, job.request_id, status))
        finally:
            with lock:
                answers.extend(mine)
                opened += connection.connection is not None
            connection.close()

    threads = [threading.Thread(target=worker, args=(jobs,), daemon=True) for jobs in jobs_by_thread]
    for t in threads:
        t.start()
    ready.wait(timeout=60)
    start_barrier.wait(timeout=60)
    go.set()
    for t in threads:
        t.join(timeout=120)
    results.put((index, answers, opened))


def rush(
    purchase: Callable[..., str],
    *,
    sale_id: int,
    jobs: list[Job],
    processes: int = 4,
    threads: int | None = None,
    during: Callable[[], None] | None = None,
    timeout: float = 120,
) -> RushResult:
    """Run every job once, from ``processes`` forked processes of ``threads`` threads each (default: one
    thread per job), all released at the same moment. ``during`` runs in this process meanwhile."""
    threads = threads or -(-len(jobs) // processes)
    slots = processes * threads
    per_thread: list[list[Job]] = [[] for _ in range(slots)]
    for i, job in enumerate(jobs):
        per_thread[i % slots].append(job)
    ctx = multiprocessing.get_context("fork")
    start_barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    connections.close_all()  # children must not inherit (and later close) this process's connections
    children = [
        ctx.Process(
            target=_child,
            args=(purchase, sale_id, [t for t in per_thread[p::processes] if t], start_barrier, results, p),
            daemon=True,
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    try:
        start_barrier.wait(timeout=90)
        started = time.monotonic()
        if during is not None:
            during()
        collected = [results.get(timeout=timeout) for _ in children]
        seconds = time.monotonic() - started
    finally:
        for child in children:
            child.join(timeout=10)
            if child.is_alive():
                child.kill()
    answers = [a for _i, part, _o in collected for a in part]
    assert len(answers) == len(jobs), f"{len(jobs) - len(answers)} jobs got no answer"
    return RushResult(answers, seconds, sum(o for _i, _p, o in collected))


# --- the materialiser as a real process --------------------------------------------------------------------


def database_url_for_subprocess() -> str:
    """The test database, embedded (unix socket) or not, for ``manage.py`` run as a child process."""
    return database_url(connection.settings_dict)


class Consumer(ChildProcess):
    """``manage.py flashsale_consumer`` in a subprocess, on the test database and this test's Redis."""

    def __init__(self, *, env: dict[str, str] | None = None, block_ms: int = 20):
        self.env = env or {}
        self.block_ms = block_ms

    def start(self) -> Consumer:
        env = {
            **os.environ,
            "TESTING": "1",
            "DATABASE_URL": database_url_for_subprocess(),
            "REDIS_URL": settings.REDIS_URL,
            "FLASHSALE_REDIS_URL": settings.FLASHSALE_REDIS_URL,
            "FLASHSALE_REDIS_CLUSTER": "1" if settings.FLASHSALE_REDIS_CLUSTER else "0",
            "FLASHSALE_RECLAIM_IDLE_MS": str(settings.FLASHSALE_RECLAIM_IDLE_MS),
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "flashsale_consumer", "--block-ms", str(self.block_ms)],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        return self


def stream_settled(sale_id: int) -> bool:
    """Every admission in the stream became an order or a "sold out" (acknowledged and removed)."""
    r = client()
    if r.xlen(keys.stream(sale_id)):
        return False
    groups = {g["name"]: g for g in r.xinfo_groups(keys.stream(sale_id))}
    return not groups.get(keys.GROUP, {}).get("pending")


def wait_settled(sale_id: int, *, timeout: float = 30) -> None:
    wait_until(lambda: stream_settled(sale_id), timeout=timeout, interval=0.05, what="the stream to drain")


# --- the books --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Books:
    quota: int
    sold: int  # the sale's counter
    units_in_orders: int  # units in every order made from the sale, live or released
    live_units: int  # units in orders that still hold them
    orders: int
    distinct_request_ids: int
    distinct_buyers: int
    most_units_per_buyer: int
    drift: int | None
    redis_stock: int | None
    ledger_drifts: list

    @property
    def oversold(self) -> bool:
        return self.live_units > self.quota or self.sold > self.quota


def books(sale: FlashSale) -> Books:
    from mall.services.stock import stock_reconcile

    sale.refresh_from_db()
    lines = OrderLine.objects.filter(referral=sale.referral)
    live = lines.exclude(order__state__in=figures_selectors.RELEASED_STATES)
    orders = Order.objects.filter(lines__referral=sale.referral).distinct()
    per_buyer = live.values("order__user_id").annotate(units=Sum("quantity"))
    figures = figures_selectors.sale_figures(sale=sale)
    return Books(
        quota=sale.quota,
        sold=sale.sold,
        units_in_orders=lines.aggregate(n=Sum("quantity"))["n"] or 0,
        live_units=live.aggregate(n=Sum("quantity"))["n"] or 0,
        orders=orders.count(),
        distinct_request_ids=orders.values("user_id", "idempotency_key").distinct().count(),
        distinct_buyers=orders.values("user_id").distinct().count(),
        most_units_per_buyer=max((row["units"] for row in per_buyer), default=0),
        drift=figures.drift,
        redis_stock=figures.redis_stock,
        ledger_drifts=stock_reconcile(),
    )


def assert_books(sale: FlashSale, *, reconcile: bool = True) -> Books:
    """The invariants every test ends with: no oversell, one order per request id, the counter equal to
    the live units, drift 0 (after ``sale_reconcile`` when asked), the stock ledger balanced."""
    if reconcile:
        sales.sale_reconcile(sale=sale)
    b = books(sale)
    assert b.sold <= b.quota, b
    assert b.live_units <= b.quota, b
    assert b.sold == b.live_units, b
    assert b.orders == b.distinct_request_ids, b
    assert b.most_units_per_buyer <= sale.per_user_limit, b
    assert b.drift == 0, b
    assert b.ledger_drifts == [], b
    duplicates = (
        Order.objects.values("user_id", "idempotency_key").annotate(n=Count("id")).filter(n__gt=1).exists()
    )
    assert not duplicates, "two orders share a request id"
    return b
