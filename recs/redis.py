"""The personal feed's Redis connection, and its manners when Redis is away.

Redis holds nothing here that PostgreSQL needs to be right: candidate lists, the seen set, impressions
waiting for their flush. So every use fails open: after one error the feed stops trying for
``DOWN_PAUSE_SECONDS`` (with redis-py's retries a call to a dead server takes seconds) and serves its
degraded form, hot plus exploration, straight from PostgreSQL.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django_redis import get_redis_connection
from redis.exceptions import RedisError

from core.pause import DownPause
from core.redis_scripts import lua_script

logger = logging.getLogger(__name__)

DOWN_PAUSE_SECONDS = 30.0
_down = DownPause(DOWN_PAUSE_SECONDS)
LUA_DIR = Path(__file__).resolve().parent / "lua"


def script(client, name: str):
    """A Lua script of ``recs/lua``, registered once per Redis client."""
    return lua_script(client, LUA_DIR / f"{name}.lua")


def client():
    """The connection, or None while Redis is known to be down."""
    if _down.active:
        return None
    return get_redis_connection("default")


def failed(exc: RedisError, what: str) -> None:
    _down.start()
    logger.warning("recs: %s without Redis (paused %ss): %s", what, DOWN_PAUSE_SECONDS, exc)


def reset() -> None:
    _down.reset()
