"""Comments in two levels: comments on a note, and replies under a comment that @ the person replied to.

A thread's top-level comment is locked (by its counter UPDATE) before anything else in the thread, the
order ``comment_like`` takes too: a reply posted or liked while its thread is being deleted either lands
before the delete (and goes with it) or finds the thread gone (404), never a dangling row.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import COMMENT_MAX, Comment, Note
from core.errors import DomainError, NotFound
from core.tasks import enqueue_on_commit


def comment_body_clean(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something first."), field="body")
    if len(body) > COMMENT_MAX:
        raise DomainError(
            _("Comments are at most %(max)d characters; this one has %(n)d.")
            % {"max": COMMENT_MAX, "n": len(body)},
            field="body",
        )
    if "\x00" in body:
        raise DomainError(_("This text contains characters that can't be stored."), field="body")
    return body


def comment_create(*, author: User, note: Note, body: str, reply_to: Comment | None = None) -> Comment:
    """Comment on ``note``, or reply to ``reply_to`` (a comment or a reply on the same note).

    A reply to a reply hangs under the same top-level comment and @s the reply's author."""
    body = comment_body_clean(body)
    parent_id = None
    reply_to_user_id = None
    if reply_to is not None:
        if reply_to.note_id != note.pk or reply_to.status != Comment.Status.VISIBLE:
            raise NotFound(_("The comment you are replying to is gone."))
        parent_id = reply_to.parent_id or reply_to.pk
        reply_to_user_id = reply_to.author_id if reply_to.parent_id is not None else None
    with transaction.atomic(durable=True):
        if parent_id is not None:
            updated = Comment.objects.filter(
                pk=parent_id, note_id=note.pk, status=Comment.Status.VISIBLE
            ).update(reply_count=F("reply_count") + 1)
            if not updated:
                raise NotFound(_("The comment you are replying to is gone."))
        comment = Comment.objects.create(
            note=note, author=author, parent_id=parent_id, reply_to_id=reply_to_user_id, body=body
        )
        if not Note.objects.filter(pk=note.pk).update(comment_count=F("comment_count") + 1):
            raise NotFound(_("This note does not exist or is not visible."))
        enqueue_on_commit("community.tasks.notify_comment_task", comment.pk)
    return comment


def comment_can_delete(*, user: User, comment: Comment) -> bool:
    """The comment's author or the note's author."""
    return bool(user and user.is_authenticated) and user.pk in (comment.author_id, comment.note.author_id)


def comment_delete(*, user: User, comment: Comment) -> int:
    """Delete ``comment`` and its replies; answer how many comments went. Anyone but the comment's
    author and the note's author gets a 404, as if the comment did not exist."""
    if not comment_can_delete(user=user, comment=comment):
        raise NotFound(_("This comment does not exist."))
    thread_id = comment.parent_id or comment.pk
    with transaction.atomic(durable=True):
        if not Comment.objects.filter(pk=thread_id).update(reply_count=F("reply_count")):
            return 0  # the thread went meanwhile, this comment with it
        # delete() reports the rows it removed, cascaded replies included; a concurrent delete gets 0.
        _total, per_model = Comment.objects.filter(pk=comment.pk).delete()
        removed = per_model.get(Comment._meta.label, 0)
        if not removed:
            return 0
        Note.objects.filter(pk=comment.note_id).update(
            comment_count=Greatest(F("comment_count") - removed, 0)
        )
        if comment.parent_id is not None:
            Comment.objects.filter(pk=comment.parent_id, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
    return removed
