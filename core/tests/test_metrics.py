"""/metrics: Prometheus text for staff or the bearer of METRICS_TOKEN only; request latency by route name,
task durations by task name, stock drift from the reconciliation, and, with PROMETHEUS_MULTIPROC_DIR,
the sum over every process (the flash-sale counters are tested in flashsale/tests/test_admission_metrics.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request

import pytest
from django.urls import reverse
from prometheus_client import REGISTRY

from accounts.tests.factories import UserFactory
from community.tests.factories import NoteFactory
from core.metrics import worker_metrics_serve
from core.tasks import beat_heartbeat_task
from mall.models import StockRecord
from mall.services.stock import stock_reconcile
from mall.tests.factories import SkuFactory, stock_give

pytestmark = pytest.mark.django_db


def _sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True))
    return client


def test_metrics_are_not_public(client):
    assert client.get(reverse("metrics")).status_code == 404
    client.force_login(UserFactory())
    assert client.get(reverse("metrics")).status_code == 404


def test_staff_read_the_metrics(staff_client):
    response = staff_client.get(reverse("metrics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"# TYPE hongshu_http_request_duration_seconds histogram" in response.content


def test_a_scraper_reads_them_with_the_token_and_only_the_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret-123"
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer scrape-secret-123").status_code == 200
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer scrape-secret-12").status_code == 404
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Basic scrape-secret-123").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_request_latency_is_labelled_by_route_name_not_path(client):
    note = NoteFactory()
    name = "hongshu_http_request_duration_seconds_count"
    before = _sample(name, route="community:note", method="GET", status="2xx")
    unmatched = _sample(name, route="unmatched", method="GET", status="4xx")
    assert client.get(reverse("community:note", args=[note.pk])).status_code == 200
    client.get("/surely/not/a/route/123")
    client.generic("BREW", reverse("healthz"))  # a made-up method is "other", not a label of its own

    assert _sample(name, route="community:note", method="GET", status="2xx") == before + 1
    assert _sample(name, route="unmatched", method="GET", status="4xx") == unmatched + 1
    exposed = "\n".join(
        sample.labels.get("route", "")
        for metric in REGISTRY.collect()
        if metric.name == "hongshu_http_request_duration_seconds"
        for sample in metric.samples
    )
    assert str(note.pk) not in exposed.split("\n")
    assert "/surely/not" not in exposed
    assert _sample(name, route="healthz", method="other", status="4xx") >= 1


def test_a_task_is_timed_by_its_name():
    name = "hongshu_celery_task_duration_seconds_count"
    labels = {"task": "core.tasks.beat_heartbeat_task", "state": "success"}
    before = _sample(name, **labels)
    beat_heartbeat_task.apply()
    assert _sample(name, **labels) == before + 1


def test_the_stock_reconciliation_sets_the_drift_gauge():
    record = stock_give(sku=SkuFactory(), quantity=5)
    stock_reconcile()
    assert _sample("hongshu_stock_drift_records") == 0
    StockRecord.objects.filter(pk=record.pk).update(on_hand=7)  # a write that skipped the ledger
    stock_reconcile()
    assert _sample("hongshu_stock_drift_records") == 1
    assert _sample("hongshu_stock_reconciled_timestamp_seconds") > 0


def test_with_a_multiprocess_dir_the_numbers_of_every_process_are_summed(staff_client, tmp_path, monkeypatch):
    # Two other processes (as two gunicorn workers, or a Celery worker) count into the shared directory.
    program = (
        "from core import metrics\nmetrics.flashsale_admissions.inc(3)\nmetrics.stock_drift_records.set(2)\n"
    )
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", program],
            check=True,
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    text = staff_client.get(reverse("metrics")).content.decode()
    assert "hongshu_flashsale_admissions_total 6.0" in text
    assert "hongshu_stock_drift_records 2.0" in text  # a gauge is the latest value, not a sum


def test_a_worker_serves_its_own_metrics_on_an_internal_port():
    beat_heartbeat_task.apply()
    server = worker_metrics_serve(port=0, addr="127.0.0.1")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    finally:
        server.shutdown()
        server.server_close()
    assert (
        'hongshu_celery_task_duration_seconds_count{state="success",task="core.tasks.beat_heartbeat_task"}'
        in text
    )
