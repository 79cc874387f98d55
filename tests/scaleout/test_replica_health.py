"""A lagging or dead replica leaves the rotation and comes back (core/replica_health.py), on a real standby.

gunicorn serves the site with ``DATABASE_URL`` on a throwaway primary and ``DATABASE_REPLICA_URL`` on its
``pg_basebackup -R`` standby (tests/support/pgcluster.py). Which server answered a read is told by the
replica's ``pg_stat_activity``: a worker's connection there (the health check's own is named apart) shows
when its last query started, so "a read landed on the replica after moment T" is a row, not a guess.

The lag limit is 0 seconds: the moment the replica holds WAL it has not replayed, it is behind. Pausing
replay and writing on the primary is then behind at once, without waiting for a clock to pass a limit;
what is polled (with a deadline) is the next check of the gunicorn worker, a real process event.

- Replay paused, a title changed on the primary: reads answer the new title, and no worker query starts
  on the replica while it lags; the log says the replica left, and why.
- Replay resumed: reads land on the replica again.
- The standby stopped as by a crash (``pg_ctl stop -m immediate``): every request answers 200 with the
  primary's data, none fails; it comes back after a restart.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from core.replica_health import PROBE_APPLICATION_NAME
from flashsale.tests.redis_servers import free_port, wait_until
from tests.support.pgcluster import primary_and_replica
from tests.support.replica_site import DATABASE, gunicorn, replica_caught_up, site_env, site_prepare

DEADLINE = 30  # seconds for a worker's next check (every 0.5 s) to be seen; a slow machine, not a wait


def replica_now(replica):
    return replica.sql("SELECT clock_timestamp()")[0][0]


def worker_reads_on_replica_since(replica, moment) -> int:
    """Queries a gunicorn worker started on the replica after ``moment`` (its connections' latest)."""
    return replica.sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend' "
        "AND application_name <> %s AND query_start > %s",
        [DATABASE, PROBE_APPLICATION_NAME, moment],
    )[0][0]


@pytest.mark.django_db(transaction=True)
def test_a_lagging_or_stopped_replica_leaves_the_rotation_and_returns(tmp_path):
    with primary_and_replica() as (primary, replica):
        port = free_port()
        env = site_env(
            tmp_path, primary.url(DATABASE), replica.url(DATABASE), port,
            DATABASE_REPLICA_MAX_LAG="0", DATABASE_REPLICA_CHECK_SECONDS="0.5", LOG_FORMAT="text", LOG_LEVEL="INFO",
        )  # fmt: skip
        note = site_prepare(primary, replica, env)["note"]
        log = tmp_path / "web.log"
        statuses: list[int] = []

        with gunicorn(env, port, log) as base:

            def title() -> str:
                response = requests.get(f"{base}/api/notes/{note}/", timeout=10)
                statuses.append(response.status_code)
                return response.json()["title"] if response.status_code == 200 else ""

            def read_lands_on_replica(since) -> bool:
                assert title() == expected
                return worker_reads_on_replica_since(replica, since) > 0

            # In step: reads land on the replica.
            expected, start = "first title", replica_now(replica)
            wait_until(lambda: read_lands_on_replica(start), timeout=DEADLINE, what="a read on the replica")

            # Behind: replay paused with a write waiting. Reads move to the primary and see the write.
            replica.sql("SELECT pg_wal_replay_pause()")
            wait_until(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused")
            primary.sql(
                "UPDATE community_note SET title = 'second title' WHERE id = %s", [note], database=DATABASE
            )
            wait_until(lambda: title() == "second title", timeout=DEADLINE, what="reads on the primary")
            moved = replica_now(replica)
            assert [title() for _ in range(10)] == ["second title"] * 10
            assert worker_reads_on_replica_since(replica, moved) == 0
            assert replica.sql(
                "SELECT title FROM community_note WHERE id = %s", [note], database=DATABASE
            ) == [("first title",)]  # the replica is indeed behind: the fresh title came from the primary
            lines = log.read_text(errors="replace")
            assert "read replica replica out of rotation" in lines and "behind the primary" in lines

            # Caught up: back on the replica.
            expected, resumed = "second title", replica_now(replica)
            replica.sql("SELECT pg_wal_replay_resume()")
            wait_until(lambda: replica_caught_up(primary, replica), timeout=DEADLINE, what="replay")
            wait_until(
                lambda: read_lands_on_replica(resumed), timeout=DEADLINE, what="reads back on the replica"
            )
            assert "read replica replica back in rotation" in log.read_text(errors="replace")

            # Stopped as by a crash: requests, two at a time, still answer from the primary.
            replica.stop("immediate")
            with ThreadPoolExecutor(max_workers=2) as pool:
                titles = list(pool.map(lambda _: title(), range(40)))
            assert titles == ["second title"] * 40
            assert "unreachable" in log.read_text(
                errors="replace"
            ) or "could not read from it" in log.read_text(errors="replace")

            # Restarted: back on the replica (the workers' connections from before the crash are dropped).
            replica.start()
            restarted = replica_now(replica)
            wait_until(
                lambda: read_lands_on_replica(restarted),
                timeout=DEADLINE,
                what="reads on the restarted replica",
            )

        assert statuses and set(statuses) == {200}, [s for s in statuses if s != 200]
