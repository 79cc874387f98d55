"""The URL of a configured database, for child processes that must use the very same one."""

from __future__ import annotations

from urllib.parse import quote


def database_url(db: dict) -> str:
    """A libpq URL for a Django DATABASES entry (or a connection's settings_dict).

    The embedded server listens on a unix socket only; django-environ keeps that socket directory in
    OPTIONS["host"], not HOST, and a URL without it would send libpq to the machine's default socket.
    """
    options = db.get("OPTIONS") or {}
    user, password, name = (quote(str(db.get(key) or ""), safe="") for key in ("USER", "PASSWORD", "NAME"))
    host = str(db.get("HOST") or options.get("host") or "")
    port = str(db.get("PORT") or options.get("port") or "")
    if host.startswith("/"):
        return f"postgresql://{user}:{password}@/{name}?host={quote(host)}" + (
            f"&port={port}" if port else ""
        )
    if not host:
        raise ValueError("the database names no host: set DATABASE_URL")
    return f"postgresql://{user}:{password}@{host}:{port or 5432}/{name}"
