"""Core's one table: tasks the broker refused (docs/architecture.md, "When the broker is down")."""

from __future__ import annotations

from django.db import models


class ParkedTask(models.Model):
    """A task whose message could not be sent after its transaction committed (the broker was down or
    unreachable). ``core.tasks`` writes it instead of failing the request, and ``parked_tasks_relay_task``
    sends it once the broker answers again, oldest first; a sent task's row is deleted."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    # eta as an ISO 8601 string, countdown in seconds (as given when it was enqueued).
    options = models.JSONField(default=dict)
    # Not sent before then: a task scheduled further ahead than CELERY_ETA_HORIZON waits here until its
    # eta is that close (a worker holding it longer than the broker's visibility timeout would see it
    # handed out again). Null: send as soon as the broker answers.
    send_after = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.name} (parked {self.created_at:%Y-%m-%d %H:%M:%S})"
