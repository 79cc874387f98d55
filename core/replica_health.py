"""Whether a read replica may serve reads now (docs/architecture.md, "A lagging or dead replica").

A replica is in the rotation while it answers and replays the primary's WAL no more than
``DATABASE_REPLICA_MAX_LAG`` seconds behind. Each process measures that at most once every
``DATABASE_REPLICA_CHECK_SECONDS`` per replica, on a connection of its own (``application_name``
"hongshu replica check"), from the first request that finds the last answer too old; the other threads
keep the last answer meanwhile, so no request waits for another's check. A request whose query failed on
the replica takes it out at once (``replica_failed``), before the next check would.

The lag is the age of the last transaction replayed while WAL is waiting to be replayed, and 0 while the
replica has replayed all it received: an idle primary sends nothing, and a replica with nothing to replay
is not behind. A replica not streaming from the primary (just restarted, or never) has no known lag and
stays out until it streams.

Each flip is one log line (``core.replica_health``, WARNING when a replica leaves, INFO when it returns)
and counts in ``hongshu_db_replica_flips_total{alias, to}``; ``hongshu_db_replica_lag_seconds`` holds
each process's latest measure. A flip bumps the replica's generation: a thread drops a replica connection
opened before it, since the server may have restarted since and the connection be dead.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.utils import load_backend
from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

PROBE_APPLICATION_NAME = "hongshu replica check"

# The seconds of replay this replica is behind, 0 when it has replayed all it received, NULL when it
# does not stream (or has replayed nothing since it started while WAL waits). A promoted replica is
# a server of its own: nothing to be behind.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NULL THEN NULL
    WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0
    ELSE EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp())
END
"""

replica_flips = Counter(
    "hongshu_db_replica_flips",
    "A read replica left (to=out) or rejoined (to=in) the rotation, in one process.",
    ["alias", "to"],
)
replica_lag = Gauge(
    "hongshu_db_replica_lag_seconds",
    "The replica's replay lag at this process's latest check (-1: unreachable or not streaming).",
    ["alias"],
    multiprocess_mode="max",
)


@dataclass
class ReplicaState:
    in_rotation: bool = True
    checked_at: float | None = None  # on the health's clock; None: never checked
    lag: float | None = None
    reason: str = ""
    generation: int = 0


class ReplicaHealth:
    """One process's view of its replicas. ``clock`` is monotonic seconds (the tests pass their own)."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._states: dict[str, ReplicaState] = {}
        self._probes: dict = {}
        self._checking = threading.Lock()
        self._seen = threading.local()  # per thread: alias -> the generation its connection belongs to

    def state(self, alias: str) -> ReplicaState:
        return self._states.setdefault(alias, ReplicaState())

    def in_rotation(self, alias: str) -> bool:
        """May a request read from ``alias`` now? Checks it first when the last check is too old and no
        other thread of this process is checking."""
        state = self.state(alias)
        if self._due(state) and self._checking.acquire(blocking=False):
            try:
                if self._due(state):
                    self.check(alias)
            finally:
                self._checking.release()
        return state.in_rotation

    def _due(self, state: ReplicaState) -> bool:
        return (
            state.checked_at is None
            or self.clock() - state.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS
        )

    def check(self, alias: str) -> ReplicaState:
        """Measures the replica's lag now and takes it out of (or back into) the rotation."""
        try:
            lag = self._measure(alias)
        except DatabaseError as exc:
            self._probe_drop(alias)
            return self.observe(alias, lag=None, reason=f"unreachable ({describe(exc)})")
        return self.observe(alias, lag=lag)

    def observe(self, alias: str, *, lag: float | None, reason: str = "") -> ReplicaState:
        """Records a measure (``lag`` in seconds, None when unknown) and flips the replica when its
        verdict changes."""
        if not reason:
            if lag is None:
                reason = "not streaming from the primary"
            elif lag > settings.DATABASE_REPLICA_MAX_LAG:
                reason = f"{lag:.1f}s behind the primary (DATABASE_REPLICA_MAX_LAG={settings.DATABASE_REPLICA_MAX_LAG:g})"
        state = self.state(alias)
        state.checked_at, state.lag = self.clock(), lag
        replica_lag.labels(alias=alias).set(-1 if lag is None else lag)
        self._flip(alias, state, in_rotation=not reason, reason=reason)
        return state

    def replica_failed(self, alias: str) -> None:
        """A request could not read from ``alias``: out until the next check finds it well."""
        state = self.state(alias)
        state.checked_at = self.clock()
        self._flip(alias, state, in_rotation=False, reason="a request could not read from it")

    def _flip(self, alias: str, state: ReplicaState, *, in_rotation: bool, reason: str) -> None:
        state.reason = reason
        if state.in_rotation == in_rotation:
            return
        state.in_rotation = in_rotation
        state.generation += 1
        replica_flips.labels(alias=alias, to="in" if in_rotation else "out").inc()
        if in_rotation:
            logger.info(
                "read replica %s back in rotation (lag %.3fs)", alias, state.lag or 0.0,
                extra={"replica": alias, "in_rotation": True, "lag": state.lag},
            )  # fmt: skip
        else:
            logger.warning(
                "read replica %s out of rotation, reads go to the primary: %s", alias, reason,
                extra={"replica": alias, "in_rotation": False, "lag": state.lag},
            )  # fmt: skip

    def connection_refresh(self, alias: str) -> None:
        """Before a request reads from ``alias``: drop this thread's connection to it if it was opened
        before the latest flip, and forget a failed connect's error flag from an earlier request (so
        ``connection_failed`` speaks of this request only)."""
        conn = connections[alias]
        generation = self.state(alias).generation
        seen = self._seen.__dict__
        if seen.get(alias, generation) != generation:
            with contextlib.suppress(DatabaseError):
                conn.close()
        seen[alias] = generation
        if conn.connection is None:
            conn.errors_occurred = False

    @staticmethod
    def connection_failed(alias: str) -> bool:
        """This thread's connection to ``alias`` raised a database error (connecting or querying) since
        ``connection_refresh``; Django sets the flag and clears it on a new connection or a commit."""
        return connections[alias].errors_occurred

    def _measure(self, alias: str) -> float | None:
        probe = self._probes.get(alias)
        if probe is None:
            probe = self._probes[alias] = probe_connection(alias)
        with probe.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
        return None if lag is None else float(lag)

    def _probe_drop(self, alias: str) -> None:
        probe = self._probes.pop(alias, None)
        if probe is not None:
            with contextlib.suppress(DatabaseError):
                probe.close()


def probe_connection(alias: str):
    """A connection to ``alias`` apart from the requests' (whichever thread checks uses it, one at a time),
    named in pg_stat_activity."""
    config = connections.settings[alias]
    config = {**config, "OPTIONS": {**config.get("OPTIONS", {}), "application_name": PROBE_APPLICATION_NAME}}
    probe = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    probe.inc_thread_sharing()
    return probe


def describe(exc: BaseException) -> str:
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first_line}"[:200]


# The web process's view (one per process: gunicorn's workers each check for themselves).
replica_health = ReplicaHealth()
