"""gunicorn settings shared by `make run` (core/management/commands/serve.py) and docker-compose."""

import os

# No SELECT 1 before each request in the web workers (config/settings.py, CONN_HEALTH_CHECKS): read before
# the workers load the site, and inherited by them. Other processes keep the health checks.
os.environ.setdefault("CONN_HEALTH_CHECKS", "0")

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
# Recycle workers now and then so a slow leak can't grow forever (jitter keeps them from restarting together).
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = "-" if os.environ.get("ACCESS_LOG", "1") == "1" else None
# gunicorn's usual line, then the duration and the request id the site answered (core/requestid.py), so an
# access line leads to the application's log lines for the same request.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'

# Who may set X-Forwarded-For/-Proto: the TLS proxy in front (docker-compose sets it for its network).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Heartbeat files in memory, not on a container's overlay filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - gunicorn's documented choice
# gunicorn 27 opens a control socket at one fixed path per user (~/.gunicorn/gunicorn.ctl): several sites
# on one machine would fight over it, and nothing here uses it. Older gunicorns ignore this name.
control_socket_disable = True


def post_worker_init(worker):
    """Load what the first requests would (every URL module, hence every view), then freeze the heap.

    A worker holds a few hundred thousand long-lived objects (Django, the apps, their modules); CPython's
    full collections would otherwise walk all of them in the middle of some request, tens of milliseconds
    each time: that is a tail-latency spike, not a throughput cost. gc.freeze() moves them to a permanent
    generation the collector never scans (what Instagram does for its Django workers)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URL modules and their views now
    gc.collect()
    gc.freeze()


def child_exit(server, worker):
    """With PROMETHEUS_MULTIPROC_DIR, a dead worker's live gauges stop counting (core/metrics.py)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
