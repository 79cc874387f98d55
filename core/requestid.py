"""One id per request, in its response, in every log line it causes and in the Celery tasks it enqueues.

The id comes from the client's ``X-Request-ID`` when that is sane (a proxy or load balancer in front
usually sets one), or is minted here. It lives in a context variable, so it follows the request through
every function without being passed; ``RequestIdFilter`` writes it into each log record, and the Celery
signal receivers below carry it in a task message's headers so the worker's log lines for that task
carry the same id (docs/architecture.md, "Logs, health and metrics").
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
# A task message's header that carries the id (a custom header: Celery passes it through untouched).
TASK_HEADER = "hongshu_request_id"
# Letters, digits, and the punctuation ids are made of; short enough for a log line. Anything else
# (spaces, newlines that would forge a log line, a megabyte) is replaced by a fresh id.
SANE = re.compile(r"^[A-Za-z0-9._:@/+=-]{1,128}$")
NONE = "-"

request_id_var: ContextVar[str] = ContextVar("request_id", default=NONE)


def request_id_new() -> str:
    return uuid.uuid4().hex


def request_id_current() -> str:
    """The id of the request (or task) being served, or "-" outside of one."""
    return request_id_var.get()


def request_id_sane(value: str | None) -> str | None:
    return value if value and SANE.match(value) else None


class RequestIdMiddleware:
    """Takes a sane incoming X-Request-ID or mints one; answers it in the response's X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_sane(request.headers.get(HEADER)) or request_id_new()
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (installed on the handlers in settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request_id = request_id_var.get()
            if request_id == NONE:
                # Django logs a 4xx/5xx answer ("Not Found: ...") after the middleware has returned; the
                # record carries its request, which carries the id.
                request_id = getattr(getattr(record, "request", None), "request_id", NONE)
            record.request_id = request_id
        return True


# --- Celery: the id travels in the task message's headers ------------------------------------------------


def task_headers_stamp(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: the publishing request's id goes into the message (kept if already there)."""
    request_id = request_id_var.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


def task_request_id_enter(task=None, **kwargs) -> None:
    """task_prerun: the task runs under the id its message carries. A task no request sent (beat's) gets a
    fresh one, so its own lines still belong together. An eager task runs inside its caller: it keeps it."""
    if task is None:
        return
    request = task.request
    if getattr(request, "is_eager", False):
        return
    request_id = request_id_sane(getattr(request, TASK_HEADER, None)) or request_id_new()
    request._request_id_token = request_id_var.set(request_id)


def task_request_id_leave(task=None, **kwargs) -> None:
    """task_postrun: the worker thread forgets the id before its next task."""
    token = getattr(task.request, "_request_id_token", None) if task is not None else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (should not happen): make sure nothing leaks
            request_id_var.set(NONE)
        task.request._request_id_token = None
