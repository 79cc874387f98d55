import os

from celery import Celery
from celery.signals import worker_ready
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


@worker_ready.connect
def _serve_worker_metrics(sender=None, **kwargs) -> None:
    """CELERY_METRICS_PORT: the worker answers Prometheus there (core/metrics.py); 0, the default: it does not."""
    from django.conf import settings

    if settings.CELERY_METRICS_PORT:
        from core.metrics import worker_metrics_serve

        worker_metrics_serve(port=settings.CELERY_METRICS_PORT, addr=settings.CELERY_METRICS_ADDR)


app.autodiscover_tasks()
