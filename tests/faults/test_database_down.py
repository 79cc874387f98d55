"""PostgreSQL unreachable (restarting, failing over): pages and the API answer a clean 503 with
Retry-After, rendered without asking the database again, and serve again as soon as it is back."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection

from community.tests.factories import indexed_note

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_unreachable():
    """The default connection pointed at a port where nothing listens, for new connections."""
    saved = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved


@pytest.fixture
def web_worker_connections():
    """The default connection as in a web worker: no health check (read when a connection opens)."""
    saved = connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    yield
    connection.close()
    connection.settings_dict["CONN_HEALTH_CHECKS"] = saved


@pytest.mark.parametrize("path", ["/", "/mall/", "/search/?q=面霜", "/api/notes/", "/api/mall/products/"])
def test_a_page_or_the_api_answers_503_while_the_database_is_down_then_recovers(client, path):
    note = indexed_note(title="面霜 recover", images=1)
    client.raise_request_exception = False

    with database_unreachable():
        down = client.get(path)

    assert down.status_code == 503
    assert down["Retry-After"] == "5"
    if path.startswith("/api/"):
        assert down.json()["code"] == "unavailable"
    else:
        assert 'data-testid="unavailable"' in down.content.decode()
    back = client.get(path)
    assert back.status_code == 200
    if path == "/":
        assert str(note.pk) in back.content.decode()


def test_a_connection_the_server_dropped_fails_one_request_cleanly_and_the_next_reconnects(
    client, web_worker_connections
):
    """As the web workers run (config/gunicorn.py: no CONN_HEALTH_CHECKS, so no SELECT 1 before each
    request), a persistent connection killed on the server side is found by the request's first query:
    that request answers 503, Django closes the broken connection as the request finishes, and the next
    request opens a new one."""
    from django.db import close_old_connections, connections

    indexed_note(title="dropped connection", images=1)
    client.raise_request_exception = False
    assert client.get("/api/notes/").status_code == 200
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    dropped = client.get("/api/notes/")

    assert dropped.status_code == 503
    assert dropped["Retry-After"] == "5"
    assert connection.errors_occurred
    # What the server's request_finished does after every response (Django's test client leaves it
    # out): the broken connection is found unusable and closed.
    close_old_connections()
    assert connection.connection is None
    back = client.get("/api/notes/")
    assert back.status_code == 200
    assert connection.connection.info.backend_pid != pid


def test_other_processes_replace_a_dropped_connection_without_failing(settings):
    """Celery workers, the flash-sale consumer and commands keep Django's health check (the default), so
    a PostgreSQL restart between two tasks costs them nothing: the next query reconnects."""
    from django.db import close_old_connections, connections

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    connection.close()
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    close_old_connections()  # what Celery does around each task and the consumer every 2 s
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
