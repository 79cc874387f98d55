import os

from celery import Celery
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hongshu")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_finalize.connect
def _declare_queues(sender: Celery, **kwargs) -> None:
    from django.conf import settings

    sender.conf.task_queues = [Queue(name) for name in settings.CELERY_TASK_QUEUES_NAMES]


@app.on_after_finalize.connect
def _refuse_sandboxes_in_production(sender: Celery, **kwargs) -> None:
    from core.gateways import sandbox_guard

    sandbox_guard()  # a worker would pay and clear customs through them: it does not start


app.autodiscover_tasks()
