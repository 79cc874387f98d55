"""Comments in two levels: comments on a note, and replies under a comment that @ the person replied to."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import COMMENT_MAX, Comment, Note
from core.errors import DomainError, NotFound
from core.tasks import enqueue_on_commit


def comment_create(*, author: User, note: Note, body: str, reply_to: Comment | None = None) -> Comment:
    """Comment on ``note``, or reply to ``reply_to`` (a comment or a reply on the same note)."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write something first."), field="body")
    if len(body) > COMMENT_MAX:
        raise DomainError(
            _("Comments are at most %(max)d characters; this one has %(n)d.")
            % {"max": COMMENT_MAX, "n": len(body)},
            field="body",
        )
    parent = None
    reply_to_user = None
    if reply_to is not None:
        if reply_to.note_id != note.pk or reply_to.status != Comment.Status.VISIBLE:
            raise NotFound(_("The comment you are replying to is gone."))
        # Two levels only: a reply to a reply hangs under the same top-level comment.
        parent = reply_to if reply_to.parent_id is None else Comment(pk=reply_to.parent_id)
        reply_to_user = reply_to.author if reply_to.parent_id is not None else None
    with transaction.atomic(durable=True):
        comment = Comment.objects.create(
            note=note,
            author=author,
            parent_id=parent.pk if parent else None,
            reply_to=reply_to_user,
            body=body,
        )
        Note.objects.filter(pk=note.pk).update(comment_count=F("comment_count") + 1)
        if parent is not None:
            Comment.objects.filter(pk=parent.pk).update(reply_count=F("reply_count") + 1)
        from community.tasks import notification_comment

        enqueue_on_commit(notification_comment, comment.pk)
    return comment


def comment_can_delete(*, user: User, comment: Comment) -> bool:
    return user.is_authenticated and user.pk in (comment.author_id, comment.note.author_id)


def comment_delete(*, user: User, comment: Comment) -> None:
    """The comment's author or the note's author may delete; a comment takes its replies with it."""
    if not comment_can_delete(user=user, comment=comment):
        raise NotFound(_("This comment does not exist."))
    with transaction.atomic(durable=True):
        # delete() reports the rows it removed, cascaded replies included; a concurrent delete gets 0.
        _total, per_model = Comment.objects.filter(pk=comment.pk).delete()
        removed = per_model.get(Comment._meta.label, 0)
        if not removed:
            return
        Note.objects.filter(pk=comment.note_id).update(
            comment_count=Greatest(F("comment_count") - removed, 0)
        )
        if comment.parent_id is not None:
            Comment.objects.filter(pk=comment.parent_id, reply_count__gt=0).update(
                reply_count=F("reply_count") - 1
            )
