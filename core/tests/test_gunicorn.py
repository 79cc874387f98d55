"""The web workers' start-up hook: every URL module (hence every view) is imported, then the heap frozen,
so CPython's full collections stop walking Django's long-lived objects inside requests (the flash-sale
benchmark's p99, benchmarks/results/flashsale.md)."""

from __future__ import annotations

import gc
import os
import runpy
import sys
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_worker_freezes_its_loaded_heap_after_importing_the_views(unfrozen):
    settings = runpy.run_path(str(CONFIG))
    assert gc.get_freeze_count() == 0

    settings["post_worker_init"](worker=None)

    # Most of the heap is now in the permanent generation, which collections never scan.
    assert gc.get_freeze_count() > 50_000
    assert sum(gc.get_count()) < 1_000
    # and the views were imported before the freeze, not during a first request
    assert "community.views.links" in sys.modules and "flashsale.api" in sys.modules


def test_the_web_workers_run_without_a_select_1_before_each_request(monkeypatch):
    """config/gunicorn.py turns Django's connection health checks off for the web workers only (read by
    config/settings.py when the workers load the site); an explicit CONN_HEALTH_CHECKS still wins."""
    monkeypatch.setenv(
        "CONN_HEALTH_CHECKS", "unset"
    )  # recorded, so the test leaves the environment as it was
    monkeypatch.delenv("CONN_HEALTH_CHECKS")
    runpy.run_path(str(CONFIG))
    assert os.environ["CONN_HEALTH_CHECKS"] == "0"

    monkeypatch.setenv("CONN_HEALTH_CHECKS", "1")
    runpy.run_path(str(CONFIG))
    assert os.environ["CONN_HEALTH_CHECKS"] == "1"
