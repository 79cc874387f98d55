"""Throwaway PostgreSQL clusters on free loopback ports: a primary made with ``initdb`` (``wal_level=replica``)
and a streaming replica made from it with ``pg_basebackup -R``, as production would add one.

Nothing here touches the machine's server on 5432: each cluster lives in its own temporary directory,
listens on 127.0.0.1 only and keeps its socket in that directory. initdb refuses to run as root, so when
the tests run as root (CI does) the clusters run as the ``postgres`` user (``runuser``) and their
directories belong to it. The binaries are Debian's (``/usr/lib/postgresql/<version>/bin``, the
``postgresql`` package that ``.ci/run`` installs).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg2

from flashsale.tests.redis_servers import free_port, wait_until


def pg_bin() -> Path:
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    if not versions:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql (Debian's postgresql package)")
    return versions[-1].parent


def as_owner(argv: list[str]) -> list[str]:
    """Run ``argv`` as the postgres user when we are root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PgCluster:
    """One PostgreSQL cluster in ``directory`` on 127.0.0.1:<port>."""

    def __init__(self, directory: Path, *, port: int | None = None):
        self.directory = Path(directory)
        self.port = port or free_port()
        self.bin = pg_bin()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        conn = psycopg2.connect(self.url(database), connect_timeout=5)
        conn.autocommit = True
        return conn

    def sql(self, query: str, params=None, *, database: str = "postgres"):
        with contextlib.closing(self.connect(database)) as conn, conn.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchall() if cur.description else None

    def _run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        done = subprocess.run(as_owner(argv), capture_output=True, text=True, timeout=120, **kw)  # noqa: S603
        if done.returncode:
            raise RuntimeError(
                f"{argv[0]} failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}"
            )
        return done

    def initdb(self) -> PgCluster:
        self._run([str(self.bin / "initdb"), "-D", str(self.directory), "-U", "postgres", "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8"])  # fmt: skip
        return self

    def start(self) -> PgCluster:
        options = " ".join(
            [
                f"-c port={self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.directory}",
                "-c wal_level=replica",
                "-c max_wal_senders=4",
                "-c hot_standby=on",
                "-c fsync=off",  # a throwaway cluster: durability is not what is tested
                "-c full_page_writes=off",
                "-c shared_buffers=32MB",
                "-c max_connections=60",
            ]
        )
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.directory), "-l", str(self.directory / "server.log"),
                   "-o", options, "-w", "-t", "60", "start"])  # fmt: skip
        wait_until(self._answers, timeout=30, interval=0.1, what=f"PostgreSQL on port {self.port}")
        return self

    def _answers(self) -> bool:
        try:
            self.sql("SELECT 1")
        except psycopg2.OperationalError:
            return False
        return True

    def replica_make(self, directory: Path) -> PgCluster:
        """A hot standby streaming from this cluster: ``pg_basebackup -R`` writes standby.signal and the
        primary_conninfo, as a production replica is made."""
        replica = PgCluster(directory)
        self._run([str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                   "-D", str(directory), "-R", "-X", "stream", "--checkpoint=fast"])  # fmt: skip
        return replica

    def stop(self, mode: str = "immediate") -> None:
        """Stopped, by default as a crash would (``immediate``: open transactions are lost)."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.directory), "-m", mode, "-w", "stop"])

    def copy_database(self, source: dict, name: str) -> None:
        """A new database ``name`` here holding what ``source`` (Django's settings_dict) holds now."""
        self.sql(f'CREATE DATABASE "{name}"')
        env = {**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""}
        src = ["-h", source.get("HOST") or "127.0.0.1", "-p", str(source.get("PORT") or 5432),
               "-U", source.get("USER") or "postgres"]  # fmt: skip
        dump = subprocess.run(  # noqa: S603
            [str(self.bin / "pg_dump"), *src, "--format=custom", "--no-owner", source["NAME"]],
            check=True, capture_output=True, env=env, timeout=120,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [str(self.bin / "pg_restore"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "--no-owner", "--exit-on-error", "--dbname", name],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def log_tail(self) -> str:
        path = self.directory / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


def _base_directory() -> Path:
    """A temporary directory for clusters, the postgres user's when we are root."""
    base = Path(tempfile.mkdtemp(prefix="hs-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(base, owner.pw_uid, owner.pw_gid)
    return base


@contextlib.contextmanager
def throwaway_cluster():
    """One cluster, initialised and running, to stop and start under traffic; removed afterwards."""
    base = _base_directory()
    cluster = PgCluster(base / "data")
    try:
        yield cluster.initdb().start()
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def primary_and_replica():
    """A primary and its streaming replica, both running; stopped and removed afterwards."""
    base = _base_directory()
    as_postgres = os.geteuid() == 0
    primary = PgCluster(base / "primary")
    replica = None
    try:
        if as_postgres:
            subprocess.run(
                ["runuser", "-u", "postgres", "--", "mkdir", "-m", "700", str(base / "primary")], check=True
            )
        primary.initdb().start()
        replica = primary.replica_make(base / "replica")
        replica.start()
        yield primary, replica
    finally:
        if replica is not None:
            replica.stop()
        primary.stop()
        shutil.rmtree(base, ignore_errors=True)
