"""Reads from a PostgreSQL streaming replica, writes and everything that must be exact on the primary
(docs/architecture.md, "Read replicas and the primary").

The replica is opt-in per request, never the default: a read goes to a replica only while
``ReplicaReadsMiddleware`` has said so for the request being served, that is for a GET/HEAD/OPTIONS
outside the paths that must see the latest state (``DATABASE_PRIMARY_PATHS``: flash sales, checkout,
orders, payments, admin), from a client that has not written in the last ``DATABASE_PIN_SECONDS``.
Everything else reads the primary: POSTs, Celery tasks, the materialiser, management commands, a
shell, and any read inside a transaction (a service that reads then writes decides on what the primary
holds). ``select_for_update`` is a write to Django's router, so it is on the primary too.

A writer reads their own write: a request that wrote (an unsafe method, or any ORM write, such as a
session saved during a GET) answers with a signed, timestamped cookie; for ``DATABASE_PIN_SECONDS`` the
same browser's reads go to the primary, which outlasts the replica's lag (milliseconds on one network).
This is the pinning idea of django-multidb-router, with the window checked from the signature's
timestamp rather than trusted from the cookie's expiry.

A replica that lags more than ``DATABASE_REPLICA_MAX_LAG`` seconds, cannot be reached, or failed a
request's query is out of the rotation until a check finds it well again (core/replica_health.py): its
reads go to the primary. A safe request whose replica failed under it (a 503) is served again from the
primary, so a replica dying takes no request down with it.

Without ``DATABASE_REPLICA_URL`` there is no replica alias and every read goes to ``default``.
"""

from __future__ import annotations

import random
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.db import connections

from core.replica_health import replica_health

PRIMARY = "default"
PIN_COOKIE = "hs_pin"
PIN_SALT = "core.dbrouter.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The replica the request being served reads from (one per request, so its reads agree with each
# other); None everywhere else.
replica_chosen: ContextVar[str | None] = ContextVar("replica_chosen", default=None)
# Set when the request being served wrote through the ORM (the router saw db_for_write).
request_wrote: ContextVar[bool] = ContextVar("request_wrote", default=False)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []))


def read_alias() -> str:
    """Where a read issued now goes: a replica only when the request allows it and no transaction is
    open on the primary (a read inside one belongs with its writes)."""
    chosen = replica_chosen.get()
    if chosen is None or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return chosen


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        request_wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY  # a replica takes its schema from the primary's WAL


def pinned(request) -> bool:
    """The client wrote less than DATABASE_PIN_SECONDS ago (a valid, fresh signed cookie)."""
    try:
        request.get_signed_cookie(PIN_COOKIE, salt=PIN_SALT, max_age=settings.DATABASE_PIN_SECONDS)
    except (KeyError, signing.BadSignature):  # SignatureExpired is a BadSignature
        return False
    return True


def primary_path(path: str) -> bool:
    return path.startswith(tuple(settings.DATABASE_PRIMARY_PATHS))


class ReplicaReadsMiddleware:
    """Decides once per request whether its reads may go to a replica, and pins a client that wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        names = replicas()
        if not names:
            return self.get_response(request)
        allowed = request.method in SAFE_METHODS and not primary_path(request.path) and not pinned(request)
        healthy = [name for name in names if replica_health.in_rotation(name)] if allowed else []
        chosen = random.choice(healthy) if healthy else None  # noqa: S311 - spreading load, not a secret
        if chosen is not None:
            replica_health.connection_refresh(chosen)
        response, wrote = self.serve(request, chosen)
        if chosen is not None and response.status_code == 503 and replica_health.connection_failed(chosen):
            # The replica failed under this request (stopped, restarting, unreachable: the 503 of
            # core.views.server_error): out of the rotation now, and a request that wrote nothing is
            # served again from the primary (its first response is dropped unsent).
            replica_health.replica_failed(chosen)
            if not wrote:
                response, wrote = self.serve(request, None)
        if wrote or request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE, "1", salt=PIN_SALT, max_age=settings.DATABASE_PIN_SECONDS,
                httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
            )  # fmt: skip
        return response

    def serve(self, request, chosen: str | None):
        """The response to ``request`` with its reads on ``chosen`` (None: the primary), and whether it
        wrote."""
        allow_token = replica_chosen.set(chosen)
        wrote_token = request_wrote.set(False)
        try:
            return self.get_response(request), request_wrote.get()
        finally:
            replica_chosen.reset(allow_token)
            request_wrote.reset(wrote_token)
