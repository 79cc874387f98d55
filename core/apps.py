from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from celery import signals

        from core import checks, metrics, requestid  # noqa: F401 - checks registers the system checks
        from core.images import image_pillow_limit

        image_pillow_limit()  # Pillow's own bomb limit follows the largest upload limit

        # The request id rides in each task message and is the task's while it runs; tasks are timed.
        signals.before_task_publish.connect(requestid.task_headers_stamp, weak=False)
        signals.task_prerun.connect(requestid.task_request_id_enter, weak=False)
        signals.task_postrun.connect(requestid.task_request_id_leave, weak=False)
        signals.task_prerun.connect(metrics.task_timer_start, weak=False)
        signals.task_postrun.connect(metrics.task_timer_stop, weak=False)
