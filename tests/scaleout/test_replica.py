"""Reads on a real streaming replica (issue 14, item 4; core/dbrouter.py).

A throwaway primary (initdb, ``wal_level=replica``) and a hot standby made from it with ``pg_basebackup
-R`` run on free loopback ports (tests/support/pgcluster.py); gunicorn serves the site with
``DATABASE_URL`` on the primary and ``DATABASE_REPLICA_URL`` on the replica. Replay on the replica is
paused at chosen moments (``pg_wal_replay_pause()``), so the replica is knowingly behind: whatever a
client then sees tells which server answered it.

- An anonymous read of a note answers the replica's (old) title while the primary already has a new one,
  and the new one once replay resumes: reads land on the replica, and the gunicorn worker holds a
  connection to it.
- A signed-in reader comments and reads the comments right after: their comment is there (pinned to the
  primary by the signed cookie their POST answered), while the same read without that cookie, from the
  replica, does not have it yet.
- The order list of the same reader reads the primary whatever the cookie (a primary path).

CI runs this as root: the clusters then run as the ``postgres`` user.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from flashsale.tests.redis_servers import free_port, wait_until
from tests.support.pgcluster import primary_and_replica
from tests.support.replica_site import gunicorn, replica_caught_up, site_env, site_prepare


@pytest.mark.django_db(transaction=True)
def test_reads_land_on_the_replica_and_a_writer_reads_their_own_write(tmp_path):
    with primary_and_replica() as (primary, replica):
        port = free_port()
        # Replay is paused for longer than the default lag limit here: the replica is kept in the
        # rotation on purpose (tests/scaleout/test_replica_health.py takes it out).
        env = site_env(tmp_path, primary.url("hongshu"), replica.url("hongshu"), port,
                       DATABASE_REPLICA_MAX_LAG="3600")  # fmt: skip
        data = site_prepare(primary, replica, env)
        note, token = data["note"], data["token"]
        assert replica.sql("SELECT pg_is_in_recovery()")[0][0] is True

        with gunicorn(env, port, tmp_path / "web.log") as base:
            anonymous = requests.Session()
            assert anonymous.get(f"{base}/api/notes/{note}/", timeout=10).json()["title"] == "first title"

            # The replica stops replaying; the primary takes a new title directly.
            replica.sql("SELECT pg_wal_replay_pause()")
            wait_until(lambda: replica.sql("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused")
            primary.sql(
                "UPDATE community_note SET title = 'second title' WHERE id = %s", [note], database="hongshu"
            )
            assert primary.sql(
                "SELECT title FROM community_note WHERE id = %s", [note], database="hongshu"
            ) == [("second title",)]
            # Reads land on the replica: the old title, from a worker connected to it.
            assert anonymous.get(f"{base}/api/notes/{note}/", timeout=10).json()["title"] == "first title"
            on_replica = replica.sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'hongshu' AND backend_type = 'client backend'"
            )[0][0]
            assert on_replica >= 1

            # A reader writes (replica still paused) and reads their own write at once: pinned.
            reader = requests.Session()
            reader.headers["Authorization"] = f"Token {token}"
            body = f"read my own write {uuid.uuid4().hex[:6]}"
            posted = reader.post(f"{base}/api/notes/{note}/comments/", json={"body": body}, timeout=10)
            assert posted.status_code == 201, posted.text
            assert "hs_pin" in reader.cookies
            own = reader.get(f"{base}/api/notes/{note}/comments/", timeout=10)
            assert body in [c["body"] for c in own.json()["results"]]
            # Pinned reads see the primary's new title too.
            assert reader.get(f"{base}/api/notes/{note}/", timeout=10).json()["title"] == "second title"

            # The same reader without the pin cookie reads the replica, which has no comment yet.
            unpinned = requests.Session()
            unpinned.headers["Authorization"] = f"Token {token}"
            theirs = unpinned.get(f"{base}/api/notes/{note}/comments/", timeout=10)
            assert theirs.status_code == 200
            assert body not in [c["body"] for c in theirs.json()["results"]]
            # A forged pin pins nothing.
            unpinned.cookies.set("hs_pin", "1:forged:signature", domain="127.0.0.1")
            assert unpinned.get(f"{base}/api/notes/{note}/", timeout=10).json()["title"] == "first title"
            # A primary path reads the primary, pinned or not: a token made on the primary just now is
            # unknown to the paused replica (401 on a note) and known on the order list.
            key = uuid.uuid4().hex[:40]
            primary.sql(
                "INSERT INTO authtoken_token (key, user_id, created) "
                "SELECT %s, id, now() FROM accounts_user WHERE username = 'writer'",
                [key], database="hongshu",
            )  # fmt: skip
            writer = requests.Session()
            writer.headers["Authorization"] = f"Token {key}"
            assert writer.get(f"{base}/api/notes/{note}/", timeout=10).status_code in (401, 403)
            assert writer.get(f"{base}/api/mall/orders/", timeout=10).status_code == 200
            assert "hs_pin" not in writer.cookies

            # Replay resumes: the replica catches up and everyone sees the writes.
            replica.sql("SELECT pg_wal_replay_resume()")
            wait_until(lambda: replica_caught_up(primary, replica), timeout=30, what="replay to resume")
            fresh = requests.Session()
            assert fresh.get(f"{base}/api/notes/{note}/", timeout=10).json()["title"] == "second title"
            comments = fresh.get(f"{base}/api/notes/{note}/comments/", timeout=10).json()["results"]
            assert body in [c["body"] for c in comments]
