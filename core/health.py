"""Readiness: is every dependency this site needs answering right now? (/readyz; /healthz is liveness.)

Each check has a short timeout (READYZ_TIMEOUT seconds) so a dead dependency makes /readyz answer 503
quickly instead of hanging the load balancer's probe. The beat check reads a timestamp that a tiny task,
scheduled by Celery beat and run by a worker, writes to Redis every minute: when it is older than
READYZ_BEAT_MAX_AGE_MINUTES, beat, the broker or every worker has stopped (docs/operations.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from kombu import Connection

BEAT_HEARTBEAT_KEY = "hs:beat:heartbeat"


def _redis_client(url: str) -> redis.Redis:
    timeout = settings.READYZ_TIMEOUT
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)


def beat_heartbeat_write(*, now: float | None = None) -> None:
    client = _redis_client(settings.REDIS_URL)
    try:
        client.set(BEAT_HEARTBEAT_KEY, repr(time.time() if now is None else now), ex=24 * 3600)
    finally:
        client.close()


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    client = _redis_client(settings.REDIS_URL)
    try:
        client.ping()
    finally:
        client.close()


def check_broker() -> None:
    timeout = settings.READYZ_TIMEOUT
    options = {"socket_connect_timeout": timeout, "socket_timeout": timeout}
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
        conn.default_channel  # noqa: B018 - opening a channel talks to the broker (Redis: a PING)


class Stale(Exception):
    pass


def check_beat() -> None:
    max_age = settings.READYZ_BEAT_MAX_AGE_MINUTES * 60
    client = _redis_client(settings.REDIS_URL)
    try:
        value = client.get(BEAT_HEARTBEAT_KEY)
    finally:
        client.close()
    if value is None:
        raise Stale("no heartbeat yet")
    age = time.time() - float(value)
    if age > max_age:
        raise Stale(f"last heartbeat {int(age)}s ago")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "beat": check_beat,
}


def readiness() -> dict[str, str]:
    """Every check's answer: "ok", or what failed (the exception's kind and, for beat, the age)."""
    answers: dict[str, str] = {}
    for name, check in CHECKS.items():
        if name == "beat" and not settings.READYZ_BEAT_MAX_AGE_MINUTES:
            continue
        try:
            check()
        except Stale as exc:
            answers[name] = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure of a dependency is an answer, not a 500
            answers[name] = type(exc).__name__
        else:
            answers[name] = "ok"
    return answers
