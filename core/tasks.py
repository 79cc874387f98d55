"""Enqueue Celery tasks only once the surrounding transaction commits."""

from __future__ import annotations

from functools import partial

from celery import Task
from django.db import transaction


def enqueue_on_commit(
    task: Task, *args, using: str | None = None, eta=None, countdown=None, **kwargs
) -> None:
    """Send ``task`` after the current transaction commits; never if it rolls back.

    Outside a transaction the task is sent at once. Tasks take ids, not objects, so the worker reads
    the committed rows. ``eta``/``countdown`` schedule it for later.
    """
    options = {k: v for k, v in {"eta": eta, "countdown": countdown}.items() if v is not None}
    transaction.on_commit(partial(task.apply_async, args=args, kwargs=kwargs, **options), using=using)
