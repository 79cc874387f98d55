"""Fixtures shared by every app's tests: real PostgreSQL, real Redis, a real Celery worker, Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).parent / "test-artifacts"))


# --- fixed clocks ---------------------------------------------------------------------------------------
# A test marked ``clocks`` runs once per clock below: the turn of the year in the site's time zone (the
# customs quota's calendar year), a leap day, a 31-day month's end, and the real today. The clock ticks
# from there (timeouts, Celery ETAs and Redis TTLs keep working), so "yesterday", "in 30 days", "this month"
# and "this year" are exercised where they break. Date logic in a test must read the clock, never build
# dates by ``replace(year=...)``. Only this process's clock moves: PostgreSQL's now() and Redis's TIME (the
# flash-sale admission script reads it) keep the real time, so a test whose date logic runs there is not
# marked (a sale window checked in Redis would be "not started" or "ended" for the wrong reason).
CLOCKS = {
    "dec31": "2026-12-31 23:59:00 +0800",
    "jan1": "2027-01-01 00:00:00 +0800",
    "feb29": "2028-02-29 12:00:00 +0800",
    "mar31": "2027-03-31 23:30:00 +0800",
    "today": None,
}


def pytest_addoption(parser):
    parser.addoption(
        "--all-clocks",
        action="store_true",
        help="run every selected test under each clock, as if marked clocks",
    )


def pytest_generate_tests(metafunc):
    marked = metafunc.definition.get_closest_marker("clocks") or metafunc.config.getoption("--all-clocks")
    if marked:
        if "fixed_clock" not in metafunc.fixturenames:
            metafunc.fixturenames.append("fixed_clock")  # parametrize checks the name is one the test uses
        metafunc.parametrize("fixed_clock", list(CLOCKS), indirect=True)


@pytest.fixture(autouse=True)
def _clock_for_marked_tests(request):
    """Sets a ``clocks`` test's clock before the fixtures it asks for make rows with timestamps (autouse
    fixtures run first; a test that is only marked does not ask for ``fixed_clock`` itself)."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and "fixed_clock" in callspec.params:
        request.getfixturevalue("fixed_clock")


@pytest.fixture
def fixed_clock(request):
    """The moment a ``clocks`` test runs at (an aware datetime), ticking from there."""
    import datetime as dt

    import time_machine

    when = CLOCKS[getattr(request, "param", "today")]
    if when is None:
        from django.utils import timezone

        yield timezone.now()
        return
    moment = dt.datetime.strptime(when, "%Y-%m-%d %H:%M:%S %z")
    with time_machine.travel(moment, tick=True):
        yield moment


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _unpaid_order_caps_out_of_the_way(settings):
    # Many tests set a scene with a shopper's many unpaid orders; the caps on them are a rule of their
    # own, which mall/tests/test_hoarding.py tests by setting them back to small numbers.
    settings.UNPAID_ORDERS_PER_ACCOUNT = settings.UNPAID_ORDERS_PER_IDENTITY = 100


@pytest.fixture(autouse=True)
def _clean_redis_db(request):
    """Each test starts with an empty test Redis database (a separate db index from the site's)."""
    from django_redis import get_redis_connection

    get_redis_connection("default").flushdb()
    # A test that took Redis away leaves the view counter pausing for a while: each test starts with it on.
    from community.services import views_count

    views_count.redis_down.reset()
    # Per-process caches that outlive a test's rows (ids are reused after a rollback).
    from community.selectors.recommend import recommend_cache_clear

    recommend_cache_clear()
    yield


@pytest.fixture(autouse=True)
def _recs_model_in_tmp(settings, tmp_path):
    """Each test has its own (absent) personal-feed model file, and starts with the feed believing Redis up
    (a test that took Redis away leaves recs pausing for DOWN_PAUSE_SECONDS: the next test in that worker,
    a browser journey say, would get the degraded feed)."""
    from recs import redis as recs_redis
    from recs.services.training import model_forget

    settings.RECS_MODEL_PATH = tmp_path / "recs" / "model.npz"
    model_forget()
    recs_redis.reset()
    yield
    model_forget()
    recs_redis.reset()


@pytest.fixture
def published():
    """Every task message that reaches the real broker during the test (``.named(task)``: their args)."""
    from celery.signals import before_task_publish

    from tests.support.tasks import PublishedTasks

    tracker = PublishedTasks()
    before_task_publish.connect(tracker, weak=False)
    yield tracker
    before_task_publish.disconnect(tracker)


@pytest.fixture
def redis_conn():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker thread consuming every queue from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    from config.celery import app

    app.conf.task_always_eager = False
    with start_worker(
        app,
        queues=settings.CELERY_TASK_QUEUES_NAMES,
        perform_ping_check=False,
        pool="threads",
        concurrency=2,
        shutdown_timeout=20,
    ) as worker:
        yield worker


# --- browser --------------------------------------------------------------------------------------------


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: install Debian's 'chromium' or set CHROMIUM_PATH")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls the tests make beside it
    # are still synchronous, so Django's async-safety guard must not refuse them.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash.setdefault(_FAILED_KEY, report.failed)
        if report.failed:
            item.stash[_FAILED_KEY] = True
    return report


_FAILED_KEY = pytest.StashKey[bool]()


def _new_page(browser, request, **context_args):
    context = browser.new_context(**context_args)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
        ),
    )
    page.js_errors = errors
    return context, page


def _save_failure(request, page, suffix: str = "") -> None:
    if request.node.stash.get(_FAILED_KEY, False):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = request.node.nodeid.replace("/", "_").replace("::", "__").replace("[", "_").replace("]", "")
        target = ARTIFACTS / f"{name}{suffix}.png"
        try:
            page.screenshot(path=str(target), full_page=True)
            print(f"\nscreenshot of the failure: {target}")
        except Exception as exc:  # noqa: BLE001 - the test already failed; keep its own error
            print(f"\ncould not save a screenshot: {exc}")


@pytest.fixture
def page(browser, live_server, request):
    """A desktop-sized page; a screenshot is kept in test-artifacts/ when the test fails."""
    context, page = _new_page(browser, request, viewport={"width": 1280, "height": 860}, locale="en-US")
    page.base_url = live_server.url
    yield page
    _save_failure(request, page)
    context.close()


@pytest.fixture
def phone_page(browser, live_server, request):
    context, page = _new_page(
        browser,
        request,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    page.base_url = live_server.url
    yield page
    _save_failure(request, page, "-phone")
    context.close()


def pytest_terminal_summary(terminalreporter):
    """Figures a test recorded with ``record_property("figures", text)`` (the hostile-upload counts), shown
    after the run, also from xdist workers."""
    lines = [
        value
        for outcome in ("passed", "failed")
        for report in terminalreporter.stats.get(outcome, [])
        for name, value in getattr(report, "user_properties", [])
        if name == "figures"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        print(f"\nbrowser test artifacts (screenshots of failures): {ARTIFACTS}")
