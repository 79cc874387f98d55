"""A lagging or dead replica leaves the rotation (core/replica_health.py, core/dbrouter.py).

In process, on real PostgreSQL: a "replica" here is the test database under another alias (it answers,
and is in step: it is not in recovery), or a port nobody listens on (down). The health's clock is the
test's, so when a check is due is decided by the test, not by sleeping. A real standby whose replay is
paused, stopped and restarted is in tests/scaleout/test_replica_health.py.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connections
from django.http import HttpResponse
from django.test import Client, RequestFactory
from prometheus_client import REGISTRY

from community.tests.factories import NoteFactory
from core.dbrouter import PIN_COOKIE, PRIMARY, ReplicaReadsMiddleware, read_alias
from tests.support.replicas import aliases_registered, replica_aliases


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    with aliases_registered("replica"):
        yield


def flips(alias: str, to: str) -> float:
    return REGISTRY.get_sample_value("hongshu_db_replica_flips_total", {"alias": alias, "to": to}) or 0.0


def read_goes_to() -> str:
    seen = {}

    def view(request):
        seen["read"] = read_alias()
        return HttpResponse("ok")

    ReplicaReadsMiddleware(view)(RequestFactory().get("/notes/"))
    return seen["read"]


@pytest.fixture
def check_every_2s(settings):
    settings.DATABASE_REPLICA_CHECK_SECONDS = 2
    settings.DATABASE_REPLICA_MAX_LAG = 5
    return settings


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_replica_in_step_is_in_rotation_and_checked_at_most_once_per_interval(check_every_2s, monkeypatch):
    with replica_aliases(check_every_2s, monkeypatch) as health:
        assert health.in_rotation("replica") is True
        first = health.state("replica")
        assert (first.lag, first.checked_at, first.reason) == (0.0, health.clock.now, "")
        assert read_goes_to() == "replica"

        checked_at = first.checked_at
        health.clock.advance(1.9)
        assert health.in_rotation("replica") is True
        assert health.state("replica").checked_at == checked_at  # not checked again yet
        health.clock.advance(0.1)
        assert health.in_rotation("replica") is True
        assert health.state("replica").checked_at == checked_at + 2.0


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_unreachable_replica_leaves_the_rotation_and_returns_when_it_answers(
    check_every_2s, monkeypatch, caplog
):
    before_out, before_in = flips("replica", "out"), flips("replica", "in")
    with replica_aliases(check_every_2s, monkeypatch, up=(), down=("replica",)) as health:
        with caplog.at_level(logging.INFO, logger="core.replica_health"):
            assert health.in_rotation("replica") is False
        state = health.state("replica")
        assert state.reason.startswith("unreachable (OperationalError")
        assert flips("replica", "out") == before_out + 1
        [line] = [r for r in caplog.records if r.name == "core.replica_health"]
        assert line.levelno == logging.WARNING and "out of rotation" in line.getMessage()
        assert read_goes_to() == PRIMARY

        # It answers again (the alias now reaches the test database), but is not asked before its time.
        connections.settings["replica"].update(
            HOST=connections.settings["default"]["HOST"], PORT=connections.settings["default"]["PORT"]
        )
        caplog.clear()
        health.clock.advance(1)
        assert read_goes_to() == PRIMARY
        health.clock.advance(1)
        with caplog.at_level(logging.INFO, logger="core.replica_health"):
            assert read_goes_to() == "replica"
        assert health.state("replica").in_rotation and health.state("replica").reason == ""
        assert flips("replica", "in") == before_in + 1
        [line] = [r for r in caplog.records if r.name == "core.replica_health"]
        assert line.levelno == logging.INFO and "back in rotation" in line.getMessage()


def test_a_replica_behind_the_limit_leaves_and_returns_once_caught_up(check_every_2s, monkeypatch):
    with replica_aliases(check_every_2s, monkeypatch, checked=True) as health:
        assert health.observe("replica", lag=5.0).in_rotation is True  # at the limit: still in
        assert read_goes_to() == "replica"
        state = health.observe("replica", lag=5.2)
        assert state.in_rotation is False
        assert state.reason == "5.2s behind the primary (DATABASE_REPLICA_MAX_LAG=5)"
        assert read_goes_to() == PRIMARY
        assert health.observe("replica", lag=None).reason == "not streaming from the primary"
        assert health.observe("replica", lag=0.01).in_rotation is True
        assert read_goes_to() == "replica"
        assert health.state("replica").generation == 2  # out, then in: two flips


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@pytest.mark.parametrize("path", ["/api/notes/{id}/", "/notes/{id}/"])
def test_a_request_whose_replica_died_since_the_last_check_is_answered_by_the_primary(
    settings, monkeypatch, path
):
    note = NoteFactory(title="answered anyway", images=0)
    with replica_aliases(settings, monkeypatch, up=(), down=("replica",)) as health:
        settings.DATABASE_REPLICA_CHECK_SECONDS = 3600
        health.observe("replica", lag=0.0)  # in step at the last check; dead since
        before_out = flips("replica", "out")
        client = Client(raise_request_exception=False)

        first = client.get(path.format(id=note.pk))
        assert first.status_code == 200
        assert "answered anyway" in first.content.decode()
        assert PIN_COOKIE not in first.cookies  # served again, not written: nobody is pinned
        state = health.state("replica")
        assert (state.in_rotation, state.reason) == (False, "a request could not read from it")
        assert flips("replica", "out") == before_out + 1

        # The next request reads the primary straight away: no second failure, no second flip.
        connections["replica"].errors_occurred = False
        assert client.get(path.format(id=note.pk)).status_code == 200
        assert connections["replica"].errors_occurred is False
        assert flips("replica", "out") == before_out + 1


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_thread_drops_a_replica_connection_opened_before_a_flip(check_every_2s, monkeypatch):
    """The replica restarted while out: a connection from before is dead, so it is not used again."""
    with replica_aliases(check_every_2s, monkeypatch, checked=True) as health:
        conn = connections["replica"]
        health.connection_refresh("replica")
        conn.ensure_connection()
        health.connection_refresh("replica")
        assert conn.connection is not None  # no flip: the connection is kept
        health.replica_failed("replica")
        health.observe("replica", lag=0.0)
        health.connection_refresh("replica")
        assert conn.connection is None
