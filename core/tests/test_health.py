"""/healthz is liveness (the process answers, nothing else asked); /readyz asks PostgreSQL, Redis, the
broker and beat's heartbeat, each with a short timeout, and answers 503 naming what failed."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from core import health
from core.tasks import beat_heartbeat_task

pytestmark = pytest.mark.django_db

DEAD = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.READYZ_TIMEOUT = 0.3


def test_liveness_asks_no_dependency(client, django_assert_num_queries, settings):
    settings.REDIS_URL = settings.CELERY_BROKER_URL = DEAD
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_ready_when_everything_answers_and_beat_ran_a_minute_ago(client):
    health.beat_heartbeat_write(now=time.time() - 60)
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "broker": "ok", "beat": "ok"},
    }
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_heartbeat_task_is_what_makes_beat_ready(client):
    assert client.get(reverse("readyz")).json()["failed"] == ["beat"]
    beat_heartbeat_task.apply()
    assert client.get(reverse("readyz")).status_code == 200


def test_a_stale_heartbeat_is_not_ready(client, settings):
    settings.READYZ_BEAT_MAX_AGE_MINUTES = 5
    health.beat_heartbeat_write(now=time.time() - 6 * 60)
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["beat"]
    assert body["checks"]["beat"].startswith("last heartbeat 36")
    assert body["checks"]["redis"] == "ok"


def test_dead_redis_is_named_quickly(client, settings):
    health.beat_heartbeat_write()
    settings.REDIS_URL = DEAD  # the heartbeat lives there too, so beat cannot be vouched for either
    started = time.monotonic()
    response = client.get(reverse("readyz"))
    assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["beat", "redis"]
    assert body["checks"]["redis"] == "ConnectionError"
    assert body["checks"]["database"] == body["checks"]["broker"] == "ok"


def test_a_dead_broker_is_named(client, settings):
    health.beat_heartbeat_write()
    settings.CELERY_BROKER_URL = DEAD
    response = client.get(reverse("readyz"))
    assert response.status_code == 503
    assert response.json()["failed"] == ["broker"]


def test_beat_is_not_asked_about_where_it_does_not_run(client, settings):
    settings.READYZ_BEAT_MAX_AGE_MINUTES = 0
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert "beat" not in response.json()["checks"]


def test_readiness_answers_only_reads(client):
    assert client.post(reverse("readyz")).status_code == 405
