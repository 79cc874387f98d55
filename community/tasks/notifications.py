"""Notification tasks: take ids, call one service, safe to run twice (deduplicated by key)."""

from __future__ import annotations

from celery import shared_task

from community.services import notifications


@shared_task
def notification_like(like_id: int) -> None:
    notifications.notify_like(like_id=like_id)


@shared_task
def notification_collect(collect_id: int) -> None:
    notifications.notify_collect(collect_id=collect_id)


@shared_task
def notification_follow(follow_id: int) -> None:
    notifications.notify_follow(follow_id=follow_id)


@shared_task
def notification_comment(comment_id: int) -> None:
    notifications.notify_comment(comment_id=comment_id)


@shared_task
def notification_comment_like(comment_like_id: int) -> None:
    notifications.notify_comment_like(comment_like_id=comment_like_id)


@shared_task
def notification_note_mentions(note_id: int) -> None:
    notifications.notify_note_mentions(note_id=note_id)
