"""Reads for the notification inboxes: a page of one inbox and the unread counts per inbox.

A page costs one query whatever its size (actor, note, cover and comment joined); the unread counts
of the inboxes cost one more (GROUP BY over the partial index of unread rows).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from community.models import Notification

Inbox = Notification.Inbox
PAGE_SIZE = 20
PAGE_SIZE_MAX = 50


def notification_base_qs() -> QuerySet[Notification]:
    """What an inbox entry shows: who, what, the note's cover, the comment's text."""
    return Notification.objects.select_related("actor", "note", "note__cover", "comment").only(
        "id", "kind", "inbox", "params", "read_at", "created_at", "recipient_id", "actor_id", "note_id",
        "comment_id",
        "actor__id", "actor__username", "actor__nickname", "actor__avatar",
        "note__id", "note__title", "note__status", "note__visibility", "note__author_id", "note__cover_id",
        "note__cover__id", "note__cover__feed", "note__cover__width", "note__cover__height",
        "note__cover__state",
        "comment__id", "comment__body", "comment__status", "comment__parent_id",
    )  # fmt: skip


def notification_list_qs(*, user, inbox: str | None = None) -> QuerySet[Notification]:
    qs = notification_base_qs().filter(recipient=user)
    if inbox:
        qs = qs.filter(inbox=inbox)
    return qs


@dataclass
class InboxPage:
    inbox: str
    items: list[Notification]
    next_before: int | None  # the cursor of the next (older) page, None on the last page

    @property
    def newest_id(self) -> int | None:
        return self.items[0].pk if self.items else None


def notification_page(*, user, inbox: str, before: int | None = None, size: int = PAGE_SIZE) -> InboxPage:
    """One page of ``inbox``, newest first, keyset on id (``before`` = the last id already shown)."""
    size = max(1, min(int(size), PAGE_SIZE_MAX))
    qs = notification_list_qs(user=user, inbox=inbox)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: size + 1])
    items = rows[:size]
    return InboxPage(inbox=inbox, items=items, next_before=items[-1].pk if len(rows) > size else None)


def notification_unread_counts(*, user) -> dict[str, int]:
    """Unread entries per inbox plus ``total``, in one query."""
    counts = dict.fromkeys(Inbox.values, 0)
    rows = (
        Notification.objects.filter(recipient=user, read_at=None)
        .values_list("inbox")
        .annotate(n=Count("id"))
        .order_by()
    )
    for inbox, n in rows:
        counts[inbox] = n
    counts["total"] = sum(counts[i] for i in Inbox.values)
    return counts
