"""Soak (issue 13, part 6): mixed traffic against the whole site on loopback for ``--duration`` seconds,
a fault in the middle, then the books checked to the unit and the processes' memory compared.

    .venv/bin/python benchmarks/soak.py                     # 10 minutes (make soak)
    .venv/bin/python benchmarks/soak.py --duration 90       # CI's short form (make soak-short)

What runs, as real subprocesses on loopback: gunicorn with config/gunicorn.py (2 workers x 4 threads), a
Celery worker on every queue (settings.CELERY_TASK_QUEUES_NAMES), Celery beat and the flash-sale
materialiser (``manage.py flashsale_consumer``): the commands of ``manage.py serve``. Settings are
production's (DEBUG=0) on the sandbox gateways (DEMO=1, the demo deployment), with static files collected,
the demo seed (DEMO_APP=1) and the sandbox gateway delivering its webhooks over HTTP to gunicorn
(PAYMENT_WEBHOOK_URL), as a real gateway would.

Data: the database SOAK_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/hs_soak) is dropped and
made anew, migrated and seeded; the Redis db SOAK_REDIS_URL (default redis://127.0.0.1:6379/14) is flushed.
``--users`` shoppers get an address, a verified customs identity, an API token and a session (the sandbox
gateway's hosted page is a web page). Two extra flash sales: a large one (buys are admitted all along) and
the demo's small one (sold out within seconds: 409 from then on).

Traffic: ``--threads`` threads, each a loop over its shoppers picking an action by weight: browse (feed,
notes, search, products, profiles), like/unlike, collect, comment, follow/unfollow, cart + checkout + order
+ pay on the sandbox page, pay an unpaid flash-sale order, flash-sale buy (a buy pass, then the buy), a
note with a small JPEG. Every answer is counted by action and status.

Fault: at ``--fault-at`` seconds the Celery worker's whole process group gets SIGKILL; a new worker starts
``--fault-gap`` seconds later. Recovery is the time from the kill until the first payment clicked after it
is confirmed (the confirmation is a Celery task: the gateway's webhook delivery).

At the end: the traffic stops, the queues drain, every clicked payment must be confirmed, then the checks:
no 5xx and no transport error, 4xx only of the intended kinds (INTENDED below), the stock ledger
(mall stock_reconcile() == []), every flash sale (sale_reconcile: no drift), the community counters
(counters_recompute() finds nothing to fix, and the worker's log shows no drift fixed during the run),
paid orders == payments succeeded == payments clicked, and the RSS of the Celery worker and of the
gunicorn workers at 1 minute and at the end (for runs of 5 minutes or more: end <= 1.2 x 1 minute).
Results: benchmarks/results/soak.json and soak.md (not written with --no-write). Exit status 1 if any
check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import json
import os
import platform
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import database_ensure, log  # noqa: E402
from benchmarks.flashsale_bench import site_env  # noqa: E402

RESULTS_JSON = ROOT / "benchmarks" / "results" / "soak.json"
RESULTS_MD = ROOT / "benchmarks" / "results" / "soak.md"
BIN = Path(sys.executable).parent
RSS_RATIO_MAX = 1.2
RSS_RULE_MIN_SECONDS = 300  # the 1.2x rule needs a run long enough for "after 1 minute" to be a baseline

# (action, status) answers the traffic provokes on purpose; anything else 4xx is an error.
INTENDED = {
    ("flash_buy", 409): "sold out, or over the per-buyer limit (the demo sale: 1 each)",
    ("flash_buy", 429): "flash-sale per-buyer rate limit (5/s)",
    ("cart_add", 409): "not enough stock left for the line",
    ("checkout", 409): "a line sold out between cart and checkout",
    (
        "checkout",
        400,
    ): "over the customs limit for one cross-border order (¥5,000): the shopper empties the cart",
    ("order_place", 409): "3 orders already waiting for payment (too_many_unpaid), or the hold ran out",
    ("pay_start", 409): "the order was cancelled or already paid",
    ("follow", 409): "already following",
}

ACTIONS = {
    "browse": 40,
    "like": 10,
    "collect": 4,
    "comment": 6,
    "follow": 5,
    "buy": 12,
    "pay_flash": 4,
    "flash": 15,
    "upload": 2,
}


def sigterm_raises(signum, frame):
    """timeout(1) and CI stop the run with SIGTERM: unwind, so ``finally`` stops the site's processes."""
    raise SystemExit(f"stopped by signal {signum}")


SEARCH_WORDS = ["面霜", "旅行", "护肤", "咖啡", "lotion", "樱花", "零食", "宝宝", "上海", "cream"]


# --- the site's processes ------------------------------------------------------------------------------------


class Processes:
    """The four long-running processes, each in its own process group, so a fault or the cleanup can
    signal one of them with its children (the Celery worker's pool, gunicorn's workers)."""

    def __init__(self, env: dict[str, str], port: int, logdir: Path):
        self.env, self.port, self.logdir = env, port, logdir
        self.procs: dict[str, subprocess.Popen] = {}
        self.worker_generation = 0

    def _start(self, name: str, argv: list[str], logname: str, env: dict | None = None) -> subprocess.Popen:
        out = open(self.logdir / f"{logname}.log", "ab")  # noqa: SIM115 - the child owns it
        from core.management.commands.serve import _die_with_parent

        process = subprocess.Popen(  # noqa: S603 - fixed commands
            argv,
            cwd=ROOT,
            env=env or self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent(os.getpid()),  # SIGTERM if the harness dies, however it dies
        )
        out.close()
        self.procs[name] = process
        return process

    def start_all(self, queues: list[str]) -> None:
        self.queues = queues
        self._start(
            "web",
            [str(BIN / "gunicorn"), "config.wsgi", "-c", "config/gunicorn.py"],
            "web",
        )
        self.worker_start()
        self._start("beat", [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info"], "beat")
        self._start("materializer", [sys.executable, "manage.py", "flashsale_consumer"], "materializer")
        self.wait_http(f"http://127.0.0.1:{self.port}/healthz")

    def wait_http(self, url: str, timeout: float = 90) -> None:
        """Until ``url`` answers 200; fails at once when any process has died."""
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
            for name, p in self.procs.items():
                if p.poll() is not None:
                    raise RuntimeError(f"{name} exited with {p.returncode} at start: see {self.logdir}")
        raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")

    def worker_start(self) -> subprocess.Popen:
        self.worker_generation += 1
        return self._start(
            "worker",
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "info", "-Q",
             ",".join(self.queues), "--concurrency", "2", "-n", f"soak{self.worker_generation}@%h"],
            "worker",
        )  # fmt: skip

    def worker_kill(self) -> None:
        process = self.procs["worker"]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def dead(self) -> list[str]:
        return [f"{n} (exit {p.returncode})" for n, p in self.procs.items() if p.poll() is not None]

    def stop_all(self) -> None:
        for process in self.procs.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Whatever is left of the group (a pool child, a gunicorn worker): SIGKILL.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


def rss_mb(pid: int) -> float:
    """Resident set size of one process in MB, with its children (the Celery pool, gunicorn workers)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return round(total / 2**20, 1)
    except psutil.NoSuchProcess:
        return 0.0


def rss_sample(procs: Processes) -> dict[str, float]:
    import psutil

    web = procs.procs["web"].pid
    try:
        web_workers = [c.pid for c in psutil.Process(web).children()]
    except psutil.NoSuchProcess:
        web_workers = []
    return {
        "celery_worker": rss_mb(procs.procs["worker"].pid),
        "gunicorn_workers": round(sum(rss_mb(p) for p in web_workers), 1),
        "gunicorn_worker_count": len(web_workers),
        "beat": rss_mb(procs.procs["beat"].pid),
        "materializer": rss_mb(procs.procs["materializer"].pid),
    }


# --- data ---------------------------------------------------------------------------------------------------


def django_setup(env: dict[str, str]) -> None:
    for key in (
        "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DEBUG", "DEMO", "DEMO_APP", "HTTPS",
        "TESTING", "SECRET_KEY", "LOG_LEVEL", "VAR_DIR", "SANDBOX_PAYMENT_SECRET", "FIELD_ENCRYPTION_KEYS",
        "FIELD_HASH_KEY",
    ):  # fmt: skip
        os.environ[key] = env[key]
    for key in (
        "FLASHSALE_REDIS_URL",
        "FLASHSALE_REDIS_CLUSTER",
        "DATABASE_REPLICA_URL",
    ):  # when a run sets them
        if key in env:
            os.environ[key] = env[key]
    import django

    django.setup()


def shoppers_make(count: int) -> list[dict]:
    """Shoppers with an address and a verified identity (the flash-sale harness's bulk buyers), an API
    token and a logged-in session (the sandbox gateway's page is a web page)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from rest_framework.authtoken.models import Token

    from accounts.models import Address, CustomsIdentity, User
    from flashsale.tests.harness import buyers_bulk

    ids = buyers_bulk(count)
    shoppers = []
    for user in User.objects.filter(pk__in=ids).order_by("pk"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # what a login records
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        shoppers.append(
            {
                "id": user.pk,
                "token": Token.objects.create(user=user).key,
                "session": session.session_key,
                "address": Address.objects.get(user=user).pk,
                "identity": CustomsIdentity.objects.get(user=user).pk,
            }
        )
    return shoppers


def big_sale_make(quota: int):
    """A live flash sale with room for the whole run (the demo's own live sale has 10 units)."""
    from datetime import timedelta

    from django.utils import timezone

    from flashsale.models import FlashSale
    from flashsale.services import sales
    from mall.models import StockRecord
    from mall.tests.factories import SkuFactory, stock_give

    tag = uuid.uuid4().hex[:8]
    sku = SkuFactory(
        code=f"SOAK-{tag}", product__slug=f"soak-{tag}", product__category__slug=f"soak-{tag}",
        product__is_cross_border=True, price="39.00",
    )  # fmt: skip
    warehouse = StockRecord.objects.order_by("pk").first().warehouse
    stock_give(sku=sku, warehouse=warehouse, quantity=quota)
    now = timezone.now()
    sale = FlashSale.objects.create(
        title="Soak sale", sku=sku, warehouse=warehouse, price="19.00", quota=quota, per_user_limit=30_000,
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(hours=3), is_cross_border=True,
    )  # fmt: skip
    sales.sale_publish(sale=sale)
    sales.sale_warm(sale=sale)
    return sale.pk


def fixtures() -> dict:
    """Ids the traffic picks from: published public notes, their authors, products with stock, sales."""
    from django.db.models import F

    from community.models import Note
    from flashsale.models import FlashSale
    from mall.models import StockRecord

    notes = list(
        Note.objects.filter(status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC).values_list(
            "pk", "author_id"
        )
    )
    flash_skus = set(FlashSale.objects.values_list("sku_id", flat=True))
    skus = sorted(
        set(
            StockRecord.objects.filter(on_hand__gt=F("allocated") + 5, sku__is_active=True)
            .exclude(sku_id__in=flash_skus)
            .values_list("sku_id", flat=True)
        )
    )
    from mall.models import Product

    products = list(Product.objects.filter(skus__pk__in=skus).values_list("slug", flat=True).distinct())
    live = list(FlashSale.objects.filter(state=FlashSale.State.PUBLISHED).values_list("pk", "starts_at"))
    from django.utils import timezone

    return {
        "notes": [n for n, _ in notes],
        "authors": sorted({a for _, a in notes}),
        "skus": skus,
        "products": products,
        "sales": [pk for pk, starts in live if starts <= timezone.now()],
    }


def site_prepare(
    env: dict[str, str], *, database_url: str, redis_url: str, base: str, users: int
) -> tuple[list[dict], dict, list[str]]:
    """A new database (migrated, static files collected, the demo seed), Redis flushed, ``users`` shoppers
    and a large live flash sale; this process's Django set up on the same settings. Returns the shoppers,
    the ids the traffic picks from and the Celery queues."""
    import redis

    database_ensure(database_url, fresh=True)
    redis.Redis.from_url(redis_url).flushdb()
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    seeded = subprocess.run([*manage, "seed_demo"], cwd=ROOT, env=env, capture_output=True, text=True)
    if seeded.returncode:
        raise RuntimeError(f"seed_demo failed: {seeded.stderr[-2000:]}")
    # From here on the gateway delivers its webhooks to the site over HTTP, as a real one does.
    env["PAYMENT_WEBHOOK_URL"] = f"{base}/api/payments/webhook/sandbox/"
    django_setup(env)
    from django.conf import settings
    from django.db import connections

    queues = list(settings.CELERY_TASK_QUEUES_NAMES)
    shopper_data = shoppers_make(users)
    big_sale_make(quota=100_000)
    fx = fixtures()
    connections.close_all()
    log(
        f"seeded: {len(fx['notes'])} notes, {len(fx['skus'])} SKUs in stock, live sales {fx['sales']}, "
        f"{len(shopper_data)} shoppers"
    )
    return shopper_data, fx, queues


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (random.randrange(256), 120, 90)).save(buffer, "JPEG", quality=80)  # noqa: S311
    return buffer.getvalue()


# --- traffic ------------------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.by_action: dict[str, Counter] = defaultdict(Counter)
        self.errors: list[str] = []  # first few unexpected answers, with their bodies
        self.samples: dict[str, list[str]] = defaultdict(list)  # a few bodies of every 4xx/5xx kind
        self.latencies: list[float] = []
        self.requests = 0
        self.keepalive_retries = 0

    def record(self, action: str, status: int | str, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.by_action[action][status] += 1
            self.latencies.append(seconds)
            if (not isinstance(status, int) or status >= 400) and len(self.samples[f"{action} {status}"]) < 2:
                self.samples[f"{action} {status}"].append(detail[:300])
            unexpected = not isinstance(status, int) or status >= 500
            unexpected |= isinstance(status, int) and 400 <= status < 500 and (action, status) not in INTENDED
            if unexpected and len(self.errors) < 40:
                self.errors.append(f"{action} {status}: {detail[:300]}")


class Payments:
    """Payments clicked on the sandbox page, watched until the order is paid (from the database)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clicked: dict[str, float] = {}  # order number -> when Pay was clicked
        self.confirmed: dict[str, float] = {}

    def click(self, number: str) -> None:
        with self.lock:
            self.clicked[number] = time.time()

    def summary(self) -> dict:
        latency = sorted(self.confirmed[n] - self.clicked[n] for n in self.confirmed)
        return {
            "never_confirmed": sorted(set(self.clicked) - set(self.confirmed)),
            "clicked": len(self.clicked),
            "confirmed": len(self.confirmed),
            "confirm_latency_s": {
                "p50": round(latency[len(latency) // 2], 2) if latency else None,
                "max": round(latency[-1], 2) if latency else None,
            },
        }

    def watch_once(self) -> None:
        from django.db import connection

        from mall.models import Payment

        with self.lock:
            waiting = [n for n in self.clicked if n not in self.confirmed]
        if not waiting:
            return
        done = Payment.objects.filter(order__number__in=waiting, state=Payment.State.SUCCEEDED).values_list(
            "order__number", flat=True
        )
        now = time.time()
        with self.lock:
            for number in done:
                self.confirmed.setdefault(number, now)
        connection.close()


class Shopper:
    def __init__(self, data: dict, base: str, fx: dict, stats: Stats, payments: Payments):
        import requests

        self.data, self.base, self.fx, self.stats, self.payments = data, base, fx, stats, payments
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Token {data['token']}"
        self.web = requests.Session()  # the browser on the gateway's hosted page
        self.web.cookies.set("sessionid", data["session"], domain="127.0.0.1")
        self.passes: dict[int, tuple[str, float]] = {}  # sale -> (pass, expires at)
        self.liked: set[int] = set()
        self.following: set[int] = set()

    def call(self, action: str, method: str, path: str, *, session=None, **kw):
        session = session or self.http
        started = time.monotonic()
        import requests

        try:
            try:
                response = session.request(method, self.base + path, timeout=30, allow_redirects=False, **kw)
            except requests.ConnectionError as exc:
                # gunicorn closes an idle keep-alive connection after its keepalive (2 s) while the client
                # may be sending on it: the server read nothing, so a browser sends the request again on
                # a new connection (Chromium does, whatever the method). Counted apart.
                if "Connection reset" not in str(exc) and "RemoteDisconnected" not in str(exc):
                    raise
                with self.stats.lock:
                    self.stats.keepalive_retries += 1
                response = session.request(method, self.base + path, timeout=30, allow_redirects=False, **kw)
        except Exception as exc:  # noqa: BLE001 - a transport error is a result to count
            self.stats.record(action, type(exc).__name__, time.monotonic() - started, str(exc))
            return None
        self.stats.record(action, response.status_code, time.monotonic() - started, response.text)
        return response

    @staticmethod
    def ok(response) -> bool:
        return response is not None and 200 <= response.status_code < 300

    # Each action: one user gesture, a few requests.

    def browse(self):
        pick = random.random()  # noqa: S311
        if pick < 0.25:
            self.call("browse", "GET", "/api/feed/")
        elif pick < 0.45:
            self.call("browse", "GET", f"/api/notes/{random.choice(self.fx['notes'])}/")  # noqa: S311
            self.call("browse", "GET", f"/api/notes/{random.choice(self.fx['notes'])}/comments/")  # noqa: S311
        elif pick < 0.65:
            word = random.choice(SEARCH_WORDS)  # noqa: S311
            self.call("search", "GET", "/api/search/notes/", params={"q": word})
            self.call("search", "GET", "/api/search/suggest/", params={"q": word[:1]})
        elif pick < 0.85:
            self.call("browse", "GET", "/api/mall/products/")
            self.call("browse", "GET", f"/api/mall/products/{random.choice(self.fx['products'])}/")  # noqa: S311
        else:
            self.call("browse", "GET", f"/api/users/{random.choice(self.fx['authors'])}/")  # noqa: S311
            self.call("browse", "GET", "/api/flash/sales/")

    def like(self):
        note = random.choice(self.fx["notes"])  # noqa: S311
        if note in self.liked:
            if self.ok(self.call("like", "DELETE", f"/api/notes/{note}/like/")):
                self.liked.discard(note)
        elif self.ok(self.call("like", "POST", f"/api/notes/{note}/like/")):
            self.liked.add(note)

    def collect(self):
        note = random.choice(self.fx["notes"])  # noqa: S311
        method = "POST" if random.random() < 0.6 else "DELETE"  # noqa: S311
        self.call("collect", method, f"/api/notes/{note}/collect/")

    def comment(self):
        note = random.choice(self.fx["notes"])  # noqa: S311
        self.call(
            "comment",
            "POST",
            f"/api/notes/{note}/comments/",
            json={"body": f"不错 soak {uuid.uuid4().hex[:6]}"},
        )

    def follow(self):
        author = random.choice(self.fx["authors"])  # noqa: S311
        if author == self.data["id"]:
            return
        if author in self.following:
            if self.ok(self.call("follow", "DELETE", f"/api/users/{author}/follow/")):
                self.following.discard(author)
        elif self.ok(self.call("follow", "POST", f"/api/users/{author}/follow/")):
            self.following.add(author)

    def buy(self):
        sku = random.choice(self.fx["skus"])  # noqa: S311
        if not self.ok(self.call("cart_add", "POST", "/api/mall/cart/", json={"sku": sku, "quantity": 1})):
            return
        held = self.call("checkout", "POST", "/api/mall/checkout/", json={"identity": self.data["identity"]})
        if held is not None and held.status_code == 400:
            # Over the customs limit for one order (¥5,000): a shopper empties the cart and starts again.
            cart = self.call("cart", "GET", "/api/mall/cart/")
            for line in cart.json().get("lines", []) if self.ok(cart) else []:
                self.call("cart", "DELETE", f"/api/mall/cart/lines/{line['id']}/")
            return
        if not self.ok(held):
            return
        body = held.json()
        if not body["lines"]:
            return
        placed = self.call(
            "order_place", "POST", "/api/mall/orders/",
            json={"token": body["token"], "address": self.data["address"], "identity": self.data["identity"],
                  "idempotency_key": uuid.uuid4().hex},
        )  # fmt: skip
        if self.ok(placed):
            self.pay(placed.json()["number"])

    def pay_flash(self):
        unpaid = self.call("orders", "GET", "/api/mall/orders/", params={"tab": "unpaid"})
        if self.ok(unpaid) and unpaid.json()["results"]:
            self.pay(unpaid.json()["results"][0]["number"])

    def pay(self, number: str):
        started = self.call("pay_start", "POST", f"/api/payments/orders/{number}/pay/")
        if not self.ok(started):
            return
        page_path = "/" + started.json()["redirect_url"].split("/", 3)[3]
        page = self.call("pay_page", "GET", page_path, session=self.web)
        if not self.ok(page):
            return
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if not match:
            self.stats.record("pay_page", "no-csrf-token", 0.0, page.text)
            return
        clicked = self.call(
            "pay_click", "POST", page_path, session=self.web,
            data={"csrfmiddlewaretoken": match[1], "action": "pay", "payer": "self"},
            headers={"Referer": self.base + page_path},
        )  # fmt: skip
        if clicked is not None and clicked.status_code == 302:
            self.payments.click(number)

    def flash(self):
        sale = random.choice(self.fx["sales"])  # noqa: S311
        held = self.passes.get(sale)
        if held is None or held[1] < time.time() + 10:
            # A pass lasts FLASHSALE_BUY_PASS_MINUTES: the sale page fetches a new one before it runs out.
            got = self.call("flash_pass", "POST", f"/api/flash/sales/{sale}/pass/")
            if not self.ok(got):
                return
            body = got.json()
            held = self.passes[sale] = (
                body["buy_pass"],
                datetime.fromisoformat(body["expires_at"]).timestamp(),
            )
        self.call(
            "flash_buy", "POST", f"/api/flash/sales/{sale}/buy/",
            json={"request_id": uuid.uuid4().hex}, headers={"X-Flash-Pass": held[0]},
        )  # fmt: skip

    def upload(self):
        created = self.call(
            "upload", "POST", "/api/notes/",
            data={"title": f"Soak {uuid.uuid4().hex[:6]}", "body": "今天的 #soak 笔记"},
            files=[("images", ("soak.jpg", jpeg_bytes(), "image/jpeg"))],
        )  # fmt: skip
        if self.ok(created) and created.json().get("status") == "draft":
            self.call("upload", "POST", f"/api/notes/{created.json()['id']}/publish/")


def traffic(shoppers: list[Shopper], stop: threading.Event, think: float) -> None:
    names, weights = zip(*ACTIONS.items(), strict=True)
    while not stop.is_set():
        shopper = random.choice(shoppers)  # noqa: S311
        action = random.choices(names, weights)[0]  # noqa: S311
        try:
            getattr(shopper, action)()
        except Exception as exc:  # noqa: BLE001 - the harness must not die of one odd answer
            shopper.stats.record(action, f"client:{type(exc).__name__}", 0.0, repr(exc))
        stop.wait(random.uniform(0, think * 2))  # noqa: S311


# --- the checks ------------------------------------------------------------------------------------------


def unacked(r) -> dict[str, tuple[str, bool]]:
    """The broker's unacknowledged deliveries: delivery tag -> (task name, has an ETA still ahead)."""
    now = datetime.now(UTC)
    out = {}
    for tag, raw in r.hgetall("unacked").items():
        headers = json.loads(raw)[0].get("headers") or {}
        eta = headers.get("eta")
        out[tag.decode()] = (headers.get("task", "?"), bool(eta and datetime.fromisoformat(eta) > now))
    return out


def queues_drain(redis_url: str, queues: list[str], timeout: float, orphaned: set[str]) -> dict:
    """Wait until the broker's queues are empty and nothing is unacknowledged but future ETA tasks and the
    deliveries the killed worker held (``orphaned``: kombu hands those out again only after the visibility
    timeout, settings.CELERY_BROKER_TRANSPORT_OPTIONS)."""
    import redis

    r = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while True:
        lengths = {q: r.llen(q) for q in queues}
        held = unacked(r)
        busy = [t for tag, (t, ahead) in held.items() if not ahead and tag not in orphaned]
        if not any(lengths.values()) and not busy:
            return {"drained": True, "eta_tasks_waiting": sum(a for _, a in held.values())}
        if time.monotonic() > deadline:
            return {"drained": False, "queues": lengths, "unacknowledged": dict(Counter(busy))}
        time.sleep(0.5)


def books() -> dict:
    from django.db.models import Count

    from community.services.counters import counters_recompute
    from flashsale.models import FlashSale
    from flashsale.services.sales import sale_reconcile
    from mall.models import Order, Payment
    from mall.services.stock import stock_reconcile

    stock = stock_reconcile()
    sales = {}
    for sale in FlashSale.objects.exclude(state=FlashSale.State.DRAFT):
        figures = sale_reconcile(sale=sale)
        sales[sale.pk] = {
            "title": sale.title, "quota": figures.quota, "redis_stock": figures.redis_stock,
            "waiting": figures.waiting, "live_orders": figures.live_orders, "drift": figures.drift,
        }  # fmt: skip
    counters = counters_recompute()
    paid_orders = Order.objects.filter(payments__state=Payment.State.SUCCEEDED).distinct().count()
    succeeded = Payment.objects.filter(state=Payment.State.SUCCEEDED).count()
    double = list(
        Payment.objects.filter(state=Payment.State.SUCCEEDED)
        .values("order_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("order_id", flat=True)
    )
    return {
        "stock_drift": [d.__dict__ for d in stock],
        "sales": sales,
        "counter_drift": {k: {"rows": v.rows, "sample": v.sample} for k, v in counters.items()},
        "orders_with_payment_succeeded": paid_orders,
        "payments_succeeded": succeeded,
        "orders_paid_twice": double,
        "second_payments_refunded": Payment.objects.filter(state=Payment.State.REFUNDED).count(),
        "orders_by_state": dict(Order.objects.values_list("state").annotate(n=Count("pk")).order_by()),
    }


class TrafficRun:
    """The shoppers' traffic on ``threads`` threads until ``finish()``: its answers (``stats``) and the
    payments it clicked (``payments``)."""

    def __init__(self, shopper_data: list, base: str, fx, *, threads: int, think: float):
        self.stats, self.payments = Stats(), Payments()
        shoppers = [Shopper(d, base, fx, self.stats, self.payments) for d in shopper_data]
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=traffic, args=(shoppers[i::threads], self.stop, think), daemon=True)
            for i in range(threads)
        ]
        self.t0 = time.monotonic()
        for t in self.threads:
            t.start()

    def elapsed(self) -> float:
        return time.monotonic() - self.t0

    def finish(self) -> float:
        """Stops the traffic; the seconds it ran."""
        self.stop.set()
        for t in self.threads:
            t.join(timeout=40)
        return self.elapsed()


def settle(redis_url: str, queues: list[str], timeout: float, orphaned: set[str], payments: Payments) -> dict:
    """After the traffic: the broker's queues drained, every clicked payment confirmed (or ``timeout``),
    then every live sale's stream drained into orders, so the books can be read."""
    started = time.monotonic()
    drained = queues_drain(redis_url, queues, timeout, orphaned)
    while time.monotonic() - started < timeout:
        payments.watch_once()
        if len(payments.confirmed) == len(payments.clicked):
            break
        time.sleep(0.5)
    drained["seconds"] = round(time.monotonic() - started, 1)
    from flashsale.models import FlashSale
    from flashsale.services.sales import sale_drain

    for sale_id in FlashSale.objects.filter(state=FlashSale.State.PUBLISHED).values_list("pk", flat=True):
        sale_drain(sale_id=sale_id, block_ms=0)
    return drained


def answers(stats: Stats, traffic_seconds: float) -> tuple[dict, list[str]]:
    """The traffic's answers summed up, and what in them fails a run: a 5xx, a request without an answer,
    a 4xx the traffic did not provoke on purpose (INTENDED)."""
    statuses = Counter()
    for counts in stats.by_action.values():
        statuses.update(counts)
    fivexx = sum(n for s, n in statuses.items() if isinstance(s, int) and s >= 500)
    transport = sum(n for s, n in statuses.items() if not isinstance(s, int))
    unintended = {
        f"{action} {status}": n
        for action, counts in stats.by_action.items()
        for status, n in counts.items()
        if isinstance(status, int) and 400 <= status < 500 and (action, status) not in INTENDED
    }
    intended = {
        f"{action} {status}": {"count": n, "why": INTENDED[(action, status)]}
        for action, counts in stats.by_action.items()
        for status, n in counts.items()
        if (action, status) in INTENDED
    }
    lat = sorted(stats.latencies)
    summary = {
        "traffic_seconds": round(traffic_seconds, 1),
        "requests": stats.requests,
        "requests_per_second": round(stats.requests / traffic_seconds, 1),
        "latency_ms": {
            "p50": round(lat[len(lat) // 2] * 1000, 1) if lat else None,
            "p99": round(lat[int(len(lat) * 0.99)] * 1000, 1) if lat else None,
        },
        "by_status": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "by_action": {a: {str(k): v for k, v in c.items()} for a, c in sorted(stats.by_action.items())},
        "intended_4xx": intended,
        "unintended_4xx": unintended,
        "keepalive_reset_retries": stats.keepalive_retries,
        "unexpected_samples": stats.errors[:20],
        "samples_4xx_5xx": dict(stats.samples),
    }
    failures = []
    if fivexx:
        failures.append(f"{fivexx} answers 5xx")
    if transport:
        failures.append(f"{transport} requests without an HTTP answer")
    if unintended:
        failures.append(f"unintended 4xx: {unintended}")
    return summary, failures


def books_checked(
    *, worker_logs: list[Path], server_logs: list[Path], payments: Payments
) -> tuple[dict, list[str]]:
    """The books (``books()``) and the drift the Celery workers logged during the run, and what in them
    fails a run: any drift in the stock ledger, a flash sale or a counter; an order paid twice; paid
    orders that are not the successful payments; an error in a server's log."""
    checks = books()
    worker_lines = [line for path in worker_logs for line in path.read_text(errors="replace").splitlines()]
    counter_drift_logged = [line for line in worker_lines if "counter drift" in line]
    stock_drift_logged = [line for line in worker_lines if "stock drift" in line]
    sale_drift_logged = [line for line in worker_lines if re.search(r"sale \d+ drift", line)]
    server_errors = [
        line for path in server_logs for line in path.read_text(errors="replace").splitlines()
        if " ERROR " in line or "Traceback" in line or "CRITICAL" in line
    ]  # fmt: skip
    failures = []
    if checks["stock_drift"]:
        failures.append(f"stock ledger drift: {checks['stock_drift']}")
    if any(s["drift"] for s in checks["sales"].values()):
        failures.append(f"flash-sale drift: {checks['sales']}")
    if checks["counter_drift"] or counter_drift_logged:
        failures.append(f"counter drift: {checks['counter_drift']} {counter_drift_logged[:3]}")
    if stock_drift_logged or sale_drift_logged:
        failures.append(f"drift logged during the run: {stock_drift_logged[:3]} {sale_drift_logged[:3]}")
    if checks["orders_paid_twice"]:
        failures.append(f"orders paid twice: {checks['orders_paid_twice']}")
    if not (checks["payments_succeeded"] >= len(payments.confirmed)
            and checks["orders_with_payment_succeeded"] == checks["payments_succeeded"]):  # fmt: skip
        failures.append("paid orders != successful payments")
    if server_errors:
        failures.append(f"errors in the servers' logs: {server_errors[:3]}")
    summary = {
        "books": checks,
        "drift_logged_during_run": {
            "counters": counter_drift_logged[:10],
            "stock": stock_drift_logged[:10],
            "sales": sale_drift_logged[:10],
        },
        "server_log_errors": server_errors[:20],
    }
    return summary, failures


def drift_sample(samples: dict, elapsed: float) -> None:
    """The books of every published flash sale read as reconcile reads them (sale_figures), without acting:
    any drift while the traffic runs is recorded (an in-flight unit must be accounted, not drift)."""
    from flashsale.models import FlashSale
    from flashsale.selectors.figures import sale_figures

    for sale in FlashSale.objects.filter(state=FlashSale.State.PUBLISHED):
        figures = sale_figures(sale=sale)
        samples["taken"] += 1
        if figures.drift:
            samples["nonzero"].append(
                {"at_s": round(elapsed, 1), "sale": sale.pk, **figures.__dict__, "drift": figures.drift}
            )


# --- the run -----------------------------------------------------------------------------------------------


def main() -> int:  # noqa: C901, PLR0912, PLR0915 - one script, read top to bottom
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=600, help="seconds of traffic")
    parser.add_argument("--users", type=int, default=40, help="shoppers")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--think", type=float, default=0.1, help="mean pause between a thread's actions (s)")
    parser.add_argument("--fault-at", type=float, default=None, help="seconds in (default: the middle)")
    parser.add_argument("--fault-gap", type=float, default=5.0, help="seconds without a worker")
    parser.add_argument("--drain-timeout", type=float, default=60.0)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--private-redis",
        action="store_true",
        help="a redis-server of the run's own on a free port instead of SOAK_REDIS_URL (a shared machine "
        "where other work may flush or consume the same db)",
    )
    parser.add_argument("--no-write", action="store_true", help="print, don't write the results files")
    args = parser.parse_args()
    fault_at = args.fault_at if args.fault_at is not None else args.duration / 2
    signal.signal(signal.SIGTERM, sigterm_raises)
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # kill -USR1 <pid>: where is it?

    from cryptography.fernet import Fernet

    from flashsale.tests.redis_servers import free_port

    database_url = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hs_soak")
    redis_url = os.environ.get("SOAK_REDIS_URL", "redis://127.0.0.1:6379/14")
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    private_redis = None
    if args.private_redis:
        from flashsale.tests.redis_servers import RedisServer

        private_redis = RedisServer(workdir / "redis", aof=False).start()
        redis_url = private_redis.url
    env = {
        **site_env(database_url, redis_url),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEMO_APP": "1",
        "VAR_DIR": str(workdir / "var"),
        "LOG_LEVEL": "WARNING",
        "SANDBOX_PAYMENT_SECRET": "soak-" + uuid.uuid4().hex,
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "4",
        "BIND": f"127.0.0.1:{port}",
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # Production keeps personal data encrypted (core/crypto.py): keys of the run's own.
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "FIELD_HASH_KEY": "soak-hash-" + uuid.uuid4().hex * 2,
    }
    env.pop("CELERY_BROKER_URL", None)
    procs = Processes(env, port, workdir)
    summary: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()})",
        "redis": "private redis-server" if args.private_redis else redis_url,
        "settings": "DEBUG=0, DEMO=1 (production settings on the sandbox gateways), DEMO_APP=1 seed",
        "duration_s": args.duration,
        "users": args.users,
        "threads": args.threads,
    }
    failures: list[str] = []
    import redis

    lock = redis.Redis.from_url(redis_url)
    if not lock.set("soak:running", os.getpid(), nx=True, ex=args.duration + 1800):
        sys.exit(f"another soak runs on {redis_url} (pid {lock.get('soak:running')}): one at a time")
    try:
        log(f"database {database_url} (new), redis {redis_url} (flushed), logs in {workdir}")
        shopper_data, fx, queues = site_prepare(
            env, database_url=database_url, redis_url=redis_url, base=base, users=args.users
        )
        lock.set("soak:running", os.getpid(), ex=args.duration + 1800)  # the flush took the first one

        procs.start_all(queues)
        log(f"serving on {base}: gunicorn, Celery worker ({','.join(queues)}), beat, materializer")
        run = TrafficRun(shopper_data, base, fx, threads=args.threads, think=args.think)
        stats, payments = run.stats, run.payments
        rss_1min = None
        fault: dict = {}
        orphaned: set[str] = set()
        rss_at = min(60.0, args.duration / 2)
        last_report = last_sample = 0.0
        drift_samples: dict = {"every_s": 5, "taken": 0, "nonzero": []}
        while (elapsed := run.elapsed()) < args.duration:
            payments.watch_once()
            if elapsed - last_sample >= drift_samples["every_s"]:
                last_sample = elapsed
                drift_sample(drift_samples, elapsed)
            if rss_1min is None and elapsed >= rss_at:
                rss_1min = rss_sample(procs)
                log(f"RSS at {elapsed:.0f} s (MB): {rss_1min}")
            if not fault and elapsed >= fault_at:
                fault["at_s"] = round(elapsed, 1)
                fault["killed_worker_pid"] = procs.procs["worker"].pid
                fault["killed_at"] = time.time()
                procs.worker_kill()
                import redis

                held = unacked(redis.Redis.from_url(redis_url))  # all the dead worker's now
                orphaned = set(held)
                fault["deliveries_held_by_the_killed_worker"] = {
                    "running_or_reserved": dict(Counter(t for t, ahead in held.values() if not ahead)),
                    "eta_ahead": dict(Counter(t for t, ahead in held.values() if ahead)),
                }
                log(f"FAULT: SIGKILL to the Celery worker's process group (pid {fault['killed_worker_pid']})")
            if fault and "restarted_at" not in fault and time.time() - fault["killed_at"] >= args.fault_gap:
                procs.worker_start()
                fault["restarted_at"] = time.time()
                fault["new_worker_pid"] = procs.procs["worker"].pid
                log(f"a new Celery worker started (pid {fault['new_worker_pid']})")
            if dead := [
                d for d in procs.dead() if not (d.startswith("worker") and "restarted_at" not in fault)
            ]:
                failures.append(f"a process died: {dead}")
                log(f"FAILED: {dead}")
                break
            if elapsed - last_report >= 15:
                last_report = elapsed
                with stats.lock:
                    log(f"{elapsed:4.0f} s: {stats.requests} requests, {len(payments.clicked)} pays clicked, "
                        f"{len(payments.confirmed)} confirmed")  # fmt: skip
            time.sleep(0.5)
        traffic_seconds = run.finish()
        rss_end = rss_sample(procs)
        log(f"traffic stopped after {traffic_seconds:.0f} s; RSS at the end (MB): {rss_end}")

        drained = settle(redis_url, queues, args.drain_timeout, orphaned, payments)
        log(f"drained: {drained}")

        # Recovery: the first payment clicked after the kill, confirmed.
        if fault:
            after = [
                payments.confirmed[n] for n, t in payments.clicked.items()
                if t >= fault["killed_at"] and n in payments.confirmed
            ]  # fmt: skip
            fault["recovered_s_after_kill"] = round(min(after) - fault["killed_at"], 1) if after else None
            fault["recovered_s_after_restart"] = (
                round(min(after) - fault["restarted_at"], 1) if after and "restarted_at" in fault else None
            )
            for key in ("killed_at", "restarted_at"):
                fault.pop(key, None)

        answered, answer_failures = answers(stats, traffic_seconds)
        checked, book_failures = books_checked(
            worker_logs=[workdir / "worker.log"],
            server_logs=[workdir / f"{name}.log" for name in ("web", "worker", "beat", "materializer")],
            payments=payments,
        )
        summary.update(
            {
                **answered,
                "fault": fault,
                "payments": payments.summary(),
                "drain": drained,
                **checked,
                "drift_sampled_during_run": {
                    **drift_samples,
                    "nonzero": drift_samples["nonzero"][:10],
                    "nonzero_count": len(drift_samples["nonzero"]),
                },
                "rss_mb": {"at_1min": rss_1min, "end": rss_end},
            }
        )

        # The verdict.
        failures += answer_failures
        if not drained["drained"]:
            failures.append(f"queues not drained: {drained}")
        # A webhook delivery the killed worker held comes back only after the broker's visibility timeout
        # (an hour): those payments are late, not lost, and are reported as such; any other is a failure.
        late = fault.get("deliveries_held_by_the_killed_worker", {}).get("running_or_reserved", {})
        late_deliveries = late.get("mall.tasks.sandbox_deliver_task", 0)
        unconfirmed = len(payments.clicked) - len(payments.confirmed)
        summary["payments"]["late_by_the_visibility_timeout"] = min(unconfirmed, late_deliveries)
        if unconfirmed > late_deliveries:
            failures.append(f"{unconfirmed - late_deliveries} clicked payments never confirmed")
        failures += book_failures
        if drift_samples["nonzero"]:
            failures.append(f"flash-sale drift sampled during the run: {drift_samples['nonzero'][:3]}")
        if fault and fault.get("recovered_s_after_kill") is None:
            failures.append("no payment confirmed after the fault")
        rss_rule = args.duration >= RSS_RULE_MIN_SECONDS
        summary["rss_rule"] = "applied" if rss_rule else f"not applied (runs under {RSS_RULE_MIN_SECONDS} s)"
        if rss_1min and rss_rule:
            # The worker restarted at the fault: compare the new worker's end with the first one's minute.
            for key in ("celery_worker", "gunicorn_workers"):
                if rss_end[key] > RSS_RATIO_MAX * rss_1min[key]:
                    failures.append(
                        f"{key} RSS grew {rss_1min[key]} -> {rss_end[key]} MB (> {RSS_RATIO_MAX}x)"
                    )
        summary["failures"] = failures
        summary["passed"] = not failures
    except Exception as exc:
        failures.append(f"soak harness failed: {exc!r}")
        summary["failures"] = failures
        summary["passed"] = False
        raise
    finally:
        procs.stop_all()
        lock.delete("soak:running")
        if private_redis is not None:
            private_redis.stop()
        summary["logs"] = str(workdir)
        if summary.get("passed"):
            shutil.rmtree(workdir, ignore_errors=True)
            summary["logs"] = "(removed: the run passed)"

    print(json.dumps(summary, indent=2, ensure_ascii=False, default=str))
    if not args.no_write:
        RESULTS_JSON.parent.mkdir(parents=True, exist_ok=True)
        RESULTS_JSON.write_text(json.dumps(summary, indent=2, ensure_ascii=False, default=str) + "\n")
        RESULTS_MD.write_text(markdown(summary, args))
        log(f"written to {RESULTS_JSON.relative_to(ROOT)} and {RESULTS_MD.relative_to(ROOT)}")
    log("PASSED" if summary["passed"] else f"FAILED: {failures}")
    return 0 if summary["passed"] else 1


def markdown(s: dict, args) -> str:
    books_ = s["books"]
    fault = s["fault"]
    rows = [
        ("requests served", f"{s['requests']} in {s['traffic_seconds']} s ({s['requests_per_second']}/s)"),
        ("latency p50 / p99", f"{s['latency_ms']['p50']} / {s['latency_ms']['p99']} ms"),
        ("answers by status", ", ".join(f"{k}: {v}" for k, v in s["by_status"].items())),
        ("intended 4xx", "; ".join(f"{k}: {v['count']} ({v['why']})" for k, v in s["intended_4xx"].items()) or "none"),
        ("unintended 4xx / 5xx", f"{s['unintended_4xx'] or 0} / "
         f"{sum(v for k, v in s['by_status'].items() if k.isdigit() and int(k) >= 500)}"),
        ("fault", f"SIGKILL to the Celery worker at {fault.get('at_s')} s, new worker {args.fault_gap:.0f} s later"),
        ("recovery", f"first payment clicked after the kill confirmed {fault.get('recovered_s_after_kill')} s after "
         f"it ({fault.get('recovered_s_after_restart')} s after the restart)"),
        ("payments clicked / confirmed", f"{s['payments']['clicked']} / {s['payments']['confirmed']} "
         f"(confirmation p50 {s['payments']['confirm_latency_s']['p50']} s, max {s['payments']['confirm_latency_s']['max']} s)"),
        ("queues drained", f"{s['drain']}"),
        ("stock ledger drift", str(len(books_["stock_drift"]))),
        ("flash-sale drift", ", ".join(f"sale {k}: {v['drift']}" for k, v in books_["sales"].items())),
        ("flash-sale drift sampled during the run",
         f"{s['drift_sampled_during_run']['nonzero_count']} non-zero of {s['drift_sampled_during_run']['taken']} "
         f"readings (every {s['drift_sampled_during_run']['every_s']} s, each published sale)"),
        ("counter drift (end / logged during the run)",
         f"{len(books_['counter_drift'])} / {len(s['drift_logged_during_run']['counters'])}"),
        ("paid orders / successful payments / paid twice",
         f"{books_['orders_with_payment_succeeded']} / {books_['payments_succeeded']} / {len(books_['orders_paid_twice'])}"),
        ("RSS MB at 1 min: Celery worker / gunicorn workers",
         f"{(s['rss_mb']['at_1min'] or {}).get('celery_worker')} / {(s['rss_mb']['at_1min'] or {}).get('gunicorn_workers')}"),
        ("RSS MB at the end: Celery worker / gunicorn workers",
         f"{s['rss_mb']['end']['celery_worker']} / {s['rss_mb']['end']['gunicorn_workers']} ({s['rss_rule']})"),
        ("verdict", "PASSED" if s["passed"] else "FAILED: " + "; ".join(s["failures"])),
    ]  # fmt: skip
    lines = [
        "# Soak",
        "",
        f"Run {s['started']} on {s['machine']}: {s['settings']}; gunicorn 2 workers x 4 threads, a Celery "
        f"worker (concurrency 2, every queue), beat and the flash-sale materialiser on loopback; "
        f"{s['users']} shoppers on {s['threads']} client threads for {s['duration_s']} s.",
        "",
        "Reproduce: `make soak` (10 minutes) or `make soak-short` (90 s, what CI runs).",
        "",
        "| figure | measured |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in rows],
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
