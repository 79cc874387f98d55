"""Likes, collects into boards, follows and comment likes.

Each toggle is idempotent: a unique constraint decides, the IntegrityError of a second insert is the
answer "already done", and the counter moves with F() only when a row was really inserted or deleted,
in the same transaction. Double clicks and concurrent requests never double-count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Board, Collect, Comment, CommentLike, Follow, Like, Note
from core.errors import Conflict, DomainError
from core.tasks import enqueue_on_commit

DEFAULT_BOARD_NAME = "Default"


@dataclass(frozen=True)
class Toggle:
    active: bool
    count: int


def _note_count(note_id: int, field: str) -> int:
    return Note.objects.filter(pk=note_id).values_list(field, flat=True).first() or 0


def note_like(*, user: User, note: Note) -> Toggle:
    try:
        with transaction.atomic(durable=True):
            like = Like.objects.create(user=user, note=note)
            Note.objects.filter(pk=note.pk).update(like_count=F("like_count") + 1)
            from community.tasks import notification_like

            enqueue_on_commit(notification_like, like.pk)
    except IntegrityError:
        pass  # already liked: the same answer as the first time
    return Toggle(True, _note_count(note.pk, "like_count"))


def note_unlike(*, user: User, note: Note) -> Toggle:
    with transaction.atomic(durable=True):
        deleted, _rows = Like.objects.filter(user=user, note=note).delete()
        if deleted:
            Note.objects.filter(pk=note.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
    return Toggle(False, _note_count(note.pk, "like_count"))


def board_default(*, user: User) -> Board:
    board = Board.objects.filter(owner=user, is_default=True).first()
    if board:
        return board
    try:
        with transaction.atomic():
            return Board.objects.create(owner=user, name=DEFAULT_BOARD_NAME, is_default=True, is_private=True)
    except IntegrityError:
        return Board.objects.get(owner=user, is_default=True)


def board_create(*, owner: User, name: str, is_private: bool = False) -> Board:
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise DomainError(_("A board name has 1 to 30 characters."), field="name")
    try:
        with transaction.atomic():
            return Board.objects.create(owner=owner, name=name, is_private=is_private)
    except IntegrityError:
        raise Conflict(
            _("You already have a board called “%(name)s”.") % {"name": name}, field="name"
        ) from None


def board_update(*, board: Board, name: str, is_private: bool) -> Board:
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise DomainError(_("A board name has 1 to 30 characters."), field="name")
    board.name, board.is_private = name, is_private
    try:
        with transaction.atomic():
            board.save(update_fields=["name", "is_private"])
    except IntegrityError:
        raise Conflict(
            _("You already have a board called “%(name)s”.") % {"name": name}, field="name"
        ) from None
    return board


def board_delete(*, board: Board) -> None:
    """Delete a board; the notes collected in it move to the default board, still collected."""
    if board.is_default:
        raise DomainError(_("The default board can't be deleted."))
    default = board_default(user=board.owner)
    with transaction.atomic(durable=True):
        moved = Collect.objects.filter(board=board).update(board=default)
        if moved:
            Board.objects.filter(pk=default.pk).update(note_count=F("note_count") + moved)
        board.delete()


def note_collect(*, user: User, note: Note, board: Board | None = None) -> Toggle:
    """Collect a note into ``board`` (the default board if none). Collecting again moves it."""
    if board is not None and board.owner_id != user.pk:
        raise DomainError(_("That board is not yours."))
    board = board or board_default(user=user)
    try:
        with transaction.atomic(durable=True):
            collect = Collect.objects.create(user=user, note=note, board=board)
            Note.objects.filter(pk=note.pk).update(collect_count=F("collect_count") + 1)
            Board.objects.filter(pk=board.pk).update(note_count=F("note_count") + 1)
            from community.tasks import notification_collect

            enqueue_on_commit(notification_collect, collect.pk)
    except IntegrityError:
        _collect_move(user=user, note=note, board=board)
    return Toggle(True, _note_count(note.pk, "collect_count"))


def _collect_move(*, user: User, note: Note, board: Board) -> None:
    current = Collect.objects.filter(user=user, note=note).values_list("pk", "board_id").first()
    if current is None or current[1] == board.pk:
        return
    collect_id, old_board_id = current
    with transaction.atomic(durable=True):
        # Compare-and-set on the old board: of two concurrent moves only one adjusts the counts.
        if Collect.objects.filter(pk=collect_id, board_id=old_board_id).update(board=board):
            Board.objects.filter(pk=old_board_id, note_count__gt=0).update(note_count=F("note_count") - 1)
            Board.objects.filter(pk=board.pk).update(note_count=F("note_count") + 1)


def note_uncollect(*, user: User, note: Note) -> Toggle:
    with transaction.atomic(durable=True):
        collect = Collect.objects.filter(user=user, note=note).first()
        if collect is not None:
            deleted, _rows = Collect.objects.filter(pk=collect.pk).delete()
            if deleted:
                Note.objects.filter(pk=note.pk, collect_count__gt=0).update(
                    collect_count=F("collect_count") - 1
                )
                Board.objects.filter(pk=collect.board_id, note_count__gt=0).update(
                    note_count=F("note_count") - 1
                )
    return Toggle(False, _note_count(note.pk, "collect_count"))


def user_follow(*, follower: User, followee: User) -> Toggle:
    if follower.pk == followee.pk:
        raise DomainError(_("You can't follow yourself."))
    try:
        with transaction.atomic(durable=True):
            follow = Follow.objects.create(follower=follower, followee=followee)
            from community.tasks import notification_follow

            enqueue_on_commit(notification_follow, follow.pk)
    except IntegrityError:
        pass
    return Toggle(True, Follow.objects.filter(followee=followee).count())


def user_unfollow(*, follower: User, followee: User) -> Toggle:
    with transaction.atomic(durable=True):
        Follow.objects.filter(follower=follower, followee=followee).delete()
    return Toggle(False, Follow.objects.filter(followee=followee).count())


def comment_like(*, user: User, comment: Comment) -> Toggle:
    try:
        with transaction.atomic(durable=True):
            like = CommentLike.objects.create(user=user, comment=comment)
            Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1)
            from community.tasks import notification_comment_like

            enqueue_on_commit(notification_comment_like, like.pk)
    except IntegrityError:
        pass
    return Toggle(
        True, Comment.objects.filter(pk=comment.pk).values_list("like_count", flat=True).first() or 0
    )


def comment_unlike(*, user: User, comment: Comment) -> Toggle:
    with transaction.atomic(durable=True):
        deleted, _rows = CommentLike.objects.filter(user=user, comment=comment).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
    return Toggle(
        False, Comment.objects.filter(pk=comment.pk).values_list("like_count", flat=True).first() or 0
    )
