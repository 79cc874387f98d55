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
