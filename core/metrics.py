"""Prometheus metrics: every metric the site exports is declared here, and /metrics answers them.

Request latency by route name (never the raw path: ids would make a series per note), Celery task
durations by task name, flash-sale admissions and refusals, and stock drift. The apps record into these
objects; core knows no domain, only the names of what is counted.

One process keeps its own numbers. gunicorn runs several workers and Celery runs others, so with
``PROMETHEUS_MULTIPROC_DIR`` set (in the environment, before any process starts; the same directory for
the web and the worker on one machine, emptied before they start), each process writes its numbers there
and /metrics sums them. Without it, /metrics shows the answering worker's numbers only (fine for one
process; see docs/operations.md, "Metrics").

/metrics is never public: it answers a staff session, or a request bearing ``METRICS_TOKEN`` as
``Authorization: Bearer <token>``; everyone else gets a 404.
"""

from __future__ import annotations

import hmac
import os
import time

from django.conf import settings
from prometheus_client import (
    CONTENT_TYPE_LATEST,  # noqa: F401 - the view answers with it
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

http_request_duration = Histogram(
    "hongshu_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by route name.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
)
celery_task_duration = Histogram(
    "hongshu_celery_task_duration_seconds",
    "Time a Celery task ran, by task name and how it ended.",
    ["task", "state"],
    buckets=TASK_BUCKETS,
)
flashsale_admissions = Counter(
    "hongshu_flashsale_admissions",
    "Flash-sale buy requests admitted (a first answer; a repeated request id is not counted again).",
)
flashsale_refusals = Counter(
    "hongshu_flashsale_refusals",
    "Flash-sale buy requests refused, by reason (sold_out, over_limit, rate_limited, unavailable, ...).",
    ["reason"],
)
# Gauges set by the reconciliation tasks: the latest run's answer is the truth, whichever process ran it.
stock_drift_records = Gauge(
    "hongshu_stock_drift_records",
    "Stock records whose on-hand or allocated figure differs from the sum of their ledger movements.",
    multiprocess_mode="mostrecent",
)
flashsale_drift_sales = Gauge(
    "hongshu_flashsale_drift_sales",
    "Flash sales whose Redis stock, waiting admissions and orders do not add up to their quota.",
    multiprocess_mode="mostrecent",
)
stock_reconciled_at = Gauge(
    "hongshu_stock_reconciled_timestamp_seconds",
    "When the stock reconciliation last ran (Unix time).",
    multiprocess_mode="mostrecent",
)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_label(method: str | None) -> str:
    """A client chooses the method: anything unusual is one label, not a series per made-up verb."""
    return method if method in METHODS else "other"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def route_name(request) -> str:
    """The matched URL's name (``mall:product``), its pattern when unnamed, "unmatched" for a 404 that
    matched no route: a bounded set of labels whatever paths the world asks for."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or match.route or "unnamed"


class RequestMetricsMiddleware:
    """Observes every response's latency under its route name (first in MIDDLEWARE, so it times it all)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        http_request_duration.labels(
            route=route_name(request),
            method=method_label(request.method),
            status=status_class(response.status_code),
        ).observe(time.perf_counter() - started)
        return response


# --- Celery task durations -------------------------------------------------------------------------------


def task_timer_start(task=None, **kwargs) -> None:
    if task is not None:
        task.request._metrics_started = time.perf_counter()


def task_timer_stop(task=None, state=None, **kwargs) -> None:
    started = getattr(task.request, "_metrics_started", None) if task is not None else None
    if started is None:
        return
    task.request._metrics_started = None
    celery_task_duration.labels(task=task.name, state=(state or "UNKNOWN").lower()).observe(
        time.perf_counter() - started
    )


# --- the endpoint ----------------------------------------------------------------------------------------


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def metrics_text() -> bytes:
    """The exposition: summed over every process writing into PROMETHEUS_MULTIPROC_DIR, else this one's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir())
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)


def worker_metrics_serve(*, port: int, addr: str):
    """A Celery worker's own /metrics (its task durations and the gauges its tasks set), on a port of its
    network, without authentication: bind it where only the scraper reaches (docs/operations.md). Started
    in the worker's main process; with PROMETHEUS_MULTIPROC_DIR it answers for the pool's children too."""
    from prometheus_client import start_http_server

    registry = REGISTRY
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=multiprocess_dir())
    server, _thread = start_http_server(port, addr=addr, registry=registry)
    return server
