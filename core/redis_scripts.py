"""Redis Lua scripts: each lives in its own ``.lua`` file of its app's ``lua/`` folder, read once and
registered once per Redis client (EVALSHA; redis-py loads it again on NOSCRIPT)."""

from __future__ import annotations

import functools
from pathlib import Path

_scripts: dict[Path, tuple[object, object]] = {}


@functools.cache
def _source(path: Path) -> str:
    return path.read_text()


def lua_script(client, path: Path):
    """The script of the file at ``path``, registered with ``client``."""
    cached = _scripts.get(path)
    if cached is None or cached[0] is not client:
        cached = (client, client.register_script(_source(path)))
        _scripts[path] = cached
    return cached[1]
