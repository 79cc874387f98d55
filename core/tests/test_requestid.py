"""A request's id: taken from a sane X-Request-ID or minted, answered back, written into every log line
(JSON in production), and carried into the Celery tasks the request enqueues."""

from __future__ import annotations

import io
import json
import logging
import re
import threading
import uuid

import pytest
from celery import signals
from django.urls import reverse

from core.requestid import NONE, TASK_HEADER, request_id_current, request_id_var
from core.tasks import enqueue_on_commit


def test_a_request_without_an_id_gets_a_fresh_one_each_time(client):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != second


def test_a_sane_incoming_id_is_kept(client):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID="lb-7f3a:2c9e/01")
    assert response["X-Request-ID"] == "lb-7f3a:2c9e/01"


@pytest.mark.parametrize("forged", ["two words", "line\nbreak", "x" * 129, "<script>", "é"])
def test_an_insane_incoming_id_is_replaced(client, forged):
    response = client.get(reverse("healthz"), HTTP_X_REQUEST_ID=forged)
    assert response["X-Request-ID"] != forged
    assert len(response["X-Request-ID"]) == 32


def test_the_id_is_forgotten_after_the_request(client):
    client.get(reverse("healthz"), HTTP_X_REQUEST_ID="done-and-gone")
    assert request_id_current() == NONE


@pytest.fixture
def console_lines():
    """What the configured console handler (settings.LOGGING) writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    yield buffer
    handler.setStream(old)


@pytest.mark.django_db
def test_every_log_line_of_a_request_is_json_with_its_id(client, console_lines, settings):
    assert settings.LOG_FORMAT == "json"  # the default without DEBUG
    client.get("/no-such-page-anywhere", HTTP_X_REQUEST_ID="trace-me-404")

    lines = [json.loads(line) for line in console_lines.getvalue().splitlines()]
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found, lines
    assert not_found[0]["request_id"] == "trace-me-404"
    assert not_found[0]["level"] == "WARNING"
    assert "/no-such-page-anywhere" in not_found[0]["message"]
    assert {"time", "level", "logger", "request_id", "message"} <= set(not_found[0])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", not_found[0]["time"])


def test_a_line_outside_a_request_says_so():
    # The configured formatter and filter on a handler of the test's own: other tests in the same process
    # (a Celery worker starting, pytest's log capture) may have rearranged the root logger's handlers.
    from core.logs import JsonFormatter
    from core.requestid import RequestIdFilter

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger(f"hongshu.test.{uuid.uuid4().hex}")
    logger.disabled, logger.propagate = False, False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.warning("between requests")
    line = json.loads(buffer.getvalue().splitlines()[-1])
    assert (line["message"], line["request_id"]) == ("between requests", NONE)


class _SeenInTasks:
    """The request id each task saw while it ran in the worker (connected after core's receivers)."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.done = threading.Event()
        self.expected = 0

    def __call__(self, task=None, **kwargs) -> None:
        if task is not None and task.name == "core.tasks.beat_heartbeat_task":
            self.ids.append(request_id_current())
            if len(self.ids) >= self.expected:
                self.done.set()


@pytest.fixture
def seen_in_tasks():
    seen = _SeenInTasks()
    signals.task_prerun.connect(seen, weak=False)
    yield seen
    signals.task_prerun.disconnect(seen)


def test_a_task_runs_under_the_id_of_the_request_that_sent_it(celery_worker, seen_in_tasks):
    seen_in_tasks.expected = 2
    token = request_id_var.set("req-from-the-web-1")
    try:
        enqueue_on_commit("core.tasks.beat_heartbeat_task")
    finally:
        request_id_var.reset(token)
    enqueue_on_commit("core.tasks.beat_heartbeat_task")  # as beat sends it: no request behind it

    assert seen_in_tasks.done.wait(timeout=30)
    with_request, without = sorted(seen_in_tasks.ids, key=lambda i: i != "req-from-the-web-1")
    assert with_request == "req-from-the-web-1"
    # A task no request sent gets an id of its own, not the previous task's left in the worker thread.
    assert without not in (NONE, "req-from-the-web-1") and len(without) == 32


def test_a_task_a_page_enqueues_carries_that_requests_id(transactional_db, client):
    from accounts.tests.factories import UserFactory
    from community.tests.factories import NoteFactory

    note = NoteFactory()
    client.force_login(UserFactory())
    stamped: list[tuple[str, str | None]] = []

    def publishing(sender=None, headers=None, **kwargs):
        stamped.append((sender, (headers or {}).get(TASK_HEADER)))

    signals.before_task_publish.connect(publishing, weak=False)
    try:
        response = client.post(
            reverse("community:note_like", args=[note.pk]), HTTP_X_REQUEST_ID="like-request-77"
        )
    finally:
        signals.before_task_publish.disconnect(publishing)
    assert response.status_code < 400
    # The like's notification task left after the like committed, still inside the request.
    assert ("community.tasks.notify_like_task", "like-request-77") in stamped
