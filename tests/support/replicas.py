"""Replica aliases for in-process tests of core/dbrouter.py and core/replica_health.py.

``replica_aliases`` configures database aliases as settings would with ``DATABASE_REPLICA_URL``: each
one a copy of the test database's settings (a "replica" that answers, and holds what is committed), or
aimed at a port nobody listens on (a replica that is down). Django lets a test open connections only
to the aliases its ``django_db(databases=...)`` names, and checks those names when the test's case is
made, before function fixtures run: a module whose tests connect to a replica registers the aliases
first with the module-scoped ``aliases_registered`` (as mirrors of ``default``, so Django neither wraps
them in the test's transaction nor flushes them). The process's replica health is replaced by a fresh
one on a clock the test moves, so no test inherits another's verdicts.
"""

from __future__ import annotations

import contextlib

from django.db import connections

from core import dbrouter
from core.replica_health import ReplicaHealth
from flashsale.tests.redis_servers import free_port
from tests.support.clock import Clock


def alias_config(*, down: bool = False) -> dict:
    config = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
    if down:
        config.update(HOST="127.0.0.1", PORT=str(free_port()))
    return config


def _forget(name: str) -> None:
    with contextlib.suppress(Exception):
        connections[name].close()
    with contextlib.suppress(AttributeError):
        del connections[name]


@contextlib.contextmanager
def aliases_registered(*names: str):
    added = [name for name in names if name not in connections.settings]
    for name in added:
        connections.settings[name] = alias_config()
    try:
        yield
    finally:
        for name in added:
            _forget(name)
            del connections.settings[name]


@contextlib.contextmanager
def replica_aliases(settings, monkeypatch, *, up=("replica",), down=(), checked=False):
    """``up`` and ``down`` aliases configured and listed in DATABASE_REPLICAS; yields the fresh health
    (its clock as ``health.clock``). ``checked``: each ``up`` alias was just found in step with the
    primary, and the next check is an hour away (for tests of where reads go, which need no server)."""
    names = [*up, *down]
    with aliases_registered(*names):
        for name in names:
            _forget(name)
            connections.settings[name].clear()
            connections.settings[name].update(alias_config(down=name in down))
        health = ReplicaHealth(clock=Clock())
        monkeypatch.setattr(dbrouter, "replica_health", health)
        settings.DATABASE_REPLICAS = names
        if checked:
            settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
            for name in up:
                health.observe(name, lag=0.0)
        try:
            yield health
        finally:
            for name in names:
                health._probe_drop(name)
                _forget(name)
