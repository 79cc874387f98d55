"""enqueue_on_commit with a real Celery worker on the real Redis broker."""

import re
import threading
from pathlib import Path

import pytest
from celery import shared_task
from django.db import transaction

from accounts.models import User
from accounts.tests.factories import UserFactory
from core.tasks import enqueue_on_commit

ran: dict[int, threading.Event] = {}
seen_nicknames: dict[int, str] = {}


@shared_task(name="core.tests.record_nickname")
def record_nickname(user_id: int) -> None:
    seen_nicknames[user_id] = User.objects.get(pk=user_id).nickname
    ran.setdefault(user_id, threading.Event()).set()


@pytest.mark.django_db(transaction=True)
def test_task_runs_on_the_worker_after_commit_and_sees_committed_data(celery_worker):
    user = UserFactory(nickname="before")
    ran[user.pk] = threading.Event()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(nickname="after")
        enqueue_on_commit("core.tests.record_nickname", user.pk)
    assert ran[user.pk].wait(timeout=20), "the worker never ran the task"
    assert seen_nicknames[user.pk] == "after"


@pytest.mark.django_db
def test_task_is_not_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        try:
            with transaction.atomic():
                enqueue_on_commit("core.tests.record_nickname", 1)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == []


@pytest.mark.django_db
def test_task_is_sent_once_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_on_commit("core.tests.record_nickname", 1)
    assert len(callbacks) == 1


def test_a_task_object_is_refused_so_services_never_import_task_modules():
    with pytest.raises(TypeError):
        enqueue_on_commit(record_nickname, 1)


def test_every_task_name_the_code_enqueues_is_a_registered_task():
    """A misspelt name would send messages no worker runs; every literal name in the code must exist."""
    from config.celery import app

    app.loader.import_default_modules()
    root = Path(__file__).resolve().parents[2]
    sources = [p for p in root.glob("*/**/*.py") if ".venv" not in p.parts and "tests" not in p.parts]
    names = {
        name
        for path in sources
        for name in re.findall(r'enqueue_on_commit\(\s*"([\w.]+)"', path.read_text(encoding="utf-8"))
    }
    assert len(names) >= 10, names
    assert names <= set(app.tasks), sorted(names - set(app.tasks))
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled <= set(app.tasks), sorted(scheduled - set(app.tasks))
