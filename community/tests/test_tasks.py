"""The community's tasks (community/tasks.py): every one is registered under ``<service>_task`` and lands
on its queue by name (image renditions on ``media``, notifications on ``notifications``, the rest on
``default``)."""

from __future__ import annotations

import pytest

from community import tasks
from config.celery import app


def _queue(name: str) -> str:
    route = app.amqp.router.route({}, name, args=(), kwargs={})
    return route["queue"].name


@pytest.mark.parametrize(
    ("name", "queue"),
    [
        ("community.tasks.image_renditions_make_task", "media"),
        ("community.tasks.notify_like_task", "notifications"),
        ("community.tasks.notify_note_mentions_task", "notifications"),
        ("community.tasks.counters_recompute_task", "default"),
        ("community.tasks.note_views_flush_task", "default"),
    ],
)
def test_each_task_is_routed_to_its_queue_by_name(name, queue):
    assert _queue(name) == queue


def test_every_task_is_named_after_the_service_it_calls():
    names = [name for name in app.tasks if name.startswith("community.tasks.")]
    assert len(names) == 18
    for name in names:
        function = name.rsplit(".", 1)[1]
        assert function.endswith("_task") and getattr(tasks, function).name == name
        service = getattr(tasks, function.removesuffix("_task"))
        assert service.__module__.startswith("community.services."), name
