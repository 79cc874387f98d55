"""The Redis connection for flash sales and its Lua scripts, registered once per process.

redis-py's Script objects send EVALSHA and reload the source on NOSCRIPT (after a Redis restart).

The pool is a blocking one: when every connection of the process is busy, a buyer waits up to
FLASHSALE_REDIS_POOL_WAIT seconds for one instead of failing at once (redis-py's default pool raises
"Too many connections" past 100, which turned a rush of threads into 503s; test_load proves it).
"""

from __future__ import annotations

import functools
from pathlib import Path

import redis
from django.conf import settings
from redis.exceptions import RedisClusterException

LUA_DIR = Path(__file__).resolve().parent.parent / "lua"
# What "Redis is unreachable" looks like. A cluster client that cannot reach any node while it learns
# the slots raises RedisClusterException, which is not a RedisError (test_cluster saw it as a 500).
REDIS_ERRORS = (redis.RedisError, RedisClusterException)


@functools.cache
def client() -> redis.Redis:
    url = settings.FLASHSALE_REDIS_URL
    pool = {
        "max_connections": settings.FLASHSALE_REDIS_MAX_CONNECTIONS,
        "timeout": settings.FLASHSALE_REDIS_POOL_WAIT,
    }
    if settings.FLASHSALE_REDIS_CLUSTER:
        from redis.cluster import RedisCluster

        return RedisCluster.from_url(
            url, decode_responses=True, socket_timeout=2, socket_connect_timeout=1,
            connection_pool_class=redis.BlockingConnectionPool, **pool,
        )  # fmt: skip
    return redis.Redis(
        connection_pool=redis.BlockingConnectionPool.from_url(
            url, decode_responses=True, socket_timeout=2, socket_connect_timeout=1, health_check_interval=30,
            **pool,
        )
    )  # fmt: skip


@functools.cache
def script(name: str):
    return client().register_script((LUA_DIR / f"{name}.lua").read_text())


def reset() -> None:
    """Forget the connection and scripts (tests that point at another Redis)."""
    client.cache_clear()
    script.cache_clear()
