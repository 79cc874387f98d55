"""Accounts tasks: each is ``<service>_task`` and calls that one service."""

from celery import shared_task

from accounts.services.sessions import sessions_clear_expired


@shared_task
def sessions_clear_expired_task() -> None:
    sessions_clear_expired()
