"""Likes, collects into boards, follows and comment likes.

Each toggle is idempotent: a unique constraint decides, the IntegrityError of a second insert (that
constraint's, checked by name) is the answer "already done", and the counter moves with F() only when
a row was really inserted or deleted, in the same transaction. Double clicks and concurrent requests
never double-count; a counter UPDATE that finds no row means the thing was deleted meanwhile (404).

Lock order, so that concurrent services queue instead of deadlocking: boards (in pk order), then
collects, then the note; for comments the thread's top-level comment, then the reply. Rows are locked
by the counter UPDATEs themselves (or a no-op UPDATE where the counter only moves later): the
community app never calls select_for_update.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from accounts.models import User
from community import keys
from community.models import Board, Collect, Comment, CommentLike, Follow, Like, Note
from core.errors import Conflict, DomainError, NotFound
from core.tasks import enqueue_on_commit

DEFAULT_BOARD_NAME = "Default"
BOARD_NAME_MAX = Board._meta.get_field("name").max_length
_ATTEMPTS = 3


@dataclass(frozen=True)
class Toggle:
    active: bool
    count: int


def _violates(exc: IntegrityError, constraint: str) -> bool:
    """Whether ``exc`` is PostgreSQL refusing ``constraint`` (not some other integrity error)."""
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) == constraint


def _note_count(note_id: int, field: str) -> int:
    return Note.objects.filter(pk=note_id).values_list(field, flat=True).first() or 0


def _note_gone() -> NotFound:
    return NotFound(_("This note does not exist or is not visible."))


# --- likes -----------------------------------------------------------------------------------------------


def note_like(*, user: User, note: Note) -> Toggle:
    try:
        with transaction.atomic(durable=True):
            like = Like.objects.create(user=user, note=note)
            if not Note.objects.filter(pk=note.pk).update(like_count=F("like_count") + 1):
                raise _note_gone()
            enqueue_on_commit("community.tasks.notify_like_task", like.pk)
    except IntegrityError as exc:
        if not _violates(exc, "like_once"):
            raise
        # Already liked (a double click, another tab): the same answer as the first time.
    return Toggle(True, _note_count(note.pk, "like_count"))


def note_unlike(*, user: User, note: Note) -> Toggle:
    with transaction.atomic(durable=True):
        # Of two concurrent unlikes the second deletes nothing and so moves nothing.
        deleted, _rows = Like.objects.filter(user=user, note=note).delete()
        if deleted:
            Note.objects.filter(pk=note.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
    return Toggle(False, _note_count(note.pk, "like_count"))


# --- boards ----------------------------------------------------------------------------------------------


def _boards_lock(*board_ids: int) -> set[int]:
    """Lock board rows in pk order with a no-op UPDATE; answer the ids that still exist.

    A collect insert, move or delete locks its boards first, so a board deletion (which moves the
    board's collects to the default board) sees every collect committed before it and none after."""
    present = set()
    for board_id in sorted(set(board_ids)):
        if Board.objects.filter(pk=board_id).update(note_count=F("note_count")):
            present.add(board_id)
    return present


def _board_name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > BOARD_NAME_MAX or "\x00" in name:
        raise DomainError(
            _("A board name has 1 to %(max)d characters.") % {"max": BOARD_NAME_MAX}, field="name"
        )
    return name


def _board_name_taken(name: str) -> Conflict:
    return Conflict(_("You already have a board called “%(name)s”.") % {"name": name}, field="name")


def board_default(*, user: User) -> Board:
    """The user's default board, made on first use (concurrent first uses agree on one row)."""
    board = Board.objects.filter(owner=user, is_default=True).first()
    if board is not None:
        return board
    # The default board's name may already be used by a board of the user's own: take the next one.
    for suffix in ("", " 2", " 3", " 4", " 5"):
        try:
            with transaction.atomic():
                return Board.objects.create(
                    owner=user, name=DEFAULT_BOARD_NAME + suffix, is_default=True, is_private=True
                )
        except IntegrityError as exc:
            if _violates(exc, "board_one_default"):
                return Board.objects.get(owner=user, is_default=True)
            if not _violates(exc, "board_unique_name"):
                raise
    raise _board_name_taken(DEFAULT_BOARD_NAME)


def board_create(*, owner: User, name: str, is_private: bool = False) -> Board:
    name = _board_name_clean(name)
    try:
        with transaction.atomic(durable=True):
            return Board.objects.create(owner=owner, name=name, is_private=is_private)
    except IntegrityError as exc:
        if _violates(exc, "board_unique_name"):
            raise _board_name_taken(name) from None
        raise


def board_update(*, board: Board, name: str, is_private: bool) -> Board:
    name = _board_name_clean(name)
    try:
        with transaction.atomic(durable=True):
            if not Board.objects.filter(pk=board.pk).update(name=name, is_private=is_private):
                raise NotFound(_("No such board."))
    except IntegrityError as exc:
        if _violates(exc, "board_unique_name"):
            raise _board_name_taken(name) from None
        raise
    board.name, board.is_private = name, is_private
    return board


def board_delete(*, board: Board) -> None:
    """Delete a board; the notes collected in it move to the default board, still collected."""
    if board.is_default:
        raise DomainError(_("The default board can't be deleted."))
    default = board_default(user=board.owner)
    with transaction.atomic(durable=True):
        if board.pk not in _boards_lock(board.pk, default.pk):
            return  # deleted meanwhile
        moved = Collect.objects.filter(board_id=board.pk).update(board=default)
        if moved:
            Board.objects.filter(pk=default.pk).update(note_count=F("note_count") + moved)
        Board.objects.filter(pk=board.pk).delete()


# --- collects --------------------------------------------------------------------------------------------


def note_collect(*, user: User, note: Note, board: Board | None = None) -> Toggle:
    """Collect a note into ``board`` (the default board if none). Collecting again moves it there."""
    if board is not None and board.owner_id != user.pk:
        raise NotFound(_("No such board."))
    target = board or board_default(user=user)
    with transaction.atomic(durable=True):
        _collect_into(user=user, note=note, board=target)
    return Toggle(True, _note_count(note.pk, "collect_count"))


def note_collect_into_new_board(
    *, user: User, note: Note, board_name: str, is_private: bool = False
) -> tuple[Board, Toggle]:
    """Make a board called ``board_name`` and collect ``note`` into it (moving it there if it was
    collected elsewhere), in one transaction: a refused name or a note deleted meanwhile leaves neither
    the board nor the collect."""
    name = _board_name_clean(board_name)
    try:
        with transaction.atomic(durable=True):
            # The new row is nobody else's to wait on, so taking it before older boards keeps the lock order.
            board = Board.objects.create(owner=user, name=name, is_private=is_private)
            _collect_into(user=user, note=note, board=board)
    except IntegrityError as exc:
        if _violates(exc, "board_unique_name"):
            raise _board_name_taken(name) from None
        raise
    board.refresh_from_db(fields=["note_count"])
    return board, Toggle(True, _note_count(note.pk, "collect_count"))


def _collect_into(*, user: User, note: Note, board: Board) -> None:
    """Collect ``note`` into ``board`` inside the caller's transaction. Each attempt runs in a savepoint
    whose locks go with it when it fails: a second insert of the same collect (another tab, a double
    click) turns into a move; a move that lost to a concurrent one tries again."""
    for _attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                _collect_insert(user=user, note=note, board=board)
            return
        except IntegrityError as exc:
            if not _violates(exc, "collect_once"):
                raise
        # Already collected: move it. If it was uncollected or moved meanwhile, try again.
        with transaction.atomic():
            if _collect_move(user=user, note=note, board=board):
                return
            transaction.set_rollback(True)


def _collect_insert(*, user: User, note: Note, board: Board) -> None:
    if not Board.objects.filter(pk=board.pk).update(note_count=F("note_count") + 1):
        raise NotFound(_("That board was just deleted."))
    collect = Collect.objects.create(user=user, note=note, board=board)
    if not Note.objects.filter(pk=note.pk).update(collect_count=F("collect_count") + 1):
        raise _note_gone()
    enqueue_on_commit("community.tasks.notify_collect_task", collect.pk)


def _collect_move(*, user: User, note: Note, board: Board) -> bool:
    """Move the user's collect of ``note`` to ``board`` (in the caller's transaction); False when there
    was none to move."""
    current = Collect.objects.filter(user=user, note=note).values_list("pk", "board_id").first()
    if current is None:
        return False
    collect_id, old_board_id = current
    if old_board_id == board.pk:
        return True
    if board.pk not in _boards_lock(old_board_id, board.pk):
        raise NotFound(_("That board was just deleted."))
    # Compare-and-set on the old board: of two concurrent moves only one adjusts the counts.
    if not Collect.objects.filter(pk=collect_id, board_id=old_board_id).update(board=board):
        return False
    Board.objects.filter(pk=old_board_id, note_count__gt=0).update(note_count=F("note_count") - 1)
    Board.objects.filter(pk=board.pk).update(note_count=F("note_count") + 1)
    return True


def note_uncollect(*, user: User, note: Note) -> Toggle:
    for _attempt in range(_ATTEMPTS):
        current = Collect.objects.filter(user=user, note=note).values_list("pk", "board_id").first()
        if current is None:
            break
        collect_id, board_id = current
        with transaction.atomic(durable=True):
            _boards_lock(board_id)
            # Only if it is still in that board: a concurrent move would leave the wrong board's count.
            deleted, _rows = Collect.objects.filter(pk=collect_id, board_id=board_id).delete()
            if deleted:
                Board.objects.filter(pk=board_id, note_count__gt=0).update(note_count=F("note_count") - 1)
                Note.objects.filter(pk=note.pk, collect_count__gt=0).update(
                    collect_count=F("collect_count") - 1
                )
        if deleted:
            break
    return Toggle(False, _note_count(note.pk, "collect_count"))


# --- follows ---------------------------------------------------------------------------------------------


def profile_counts_forget(*user_ids: int) -> None:
    """Drop the cached profile-header counts of ``user_ids`` (community/selectors/profiles.py) after a
    follow changed them; if Redis is down they expire within their TTL."""
    with contextlib.suppress(ConnectionInterrupted, RedisError):
        cache.delete_many([keys.profile_counts(pk) for pk in user_ids])


def _follower_count(user_id: int) -> int:
    return Follow.objects.filter(followee_id=user_id).count()


def user_follow(*, follower: User, followee: User) -> Toggle:
    """Follow ``followee``; the count is their followers'. Following yourself is refused (and the
    database refuses it too: ``follow_not_self``)."""
    if follower.pk == followee.pk:
        raise DomainError(_("You can't follow yourself."))
    try:
        with transaction.atomic(durable=True):
            follow = Follow.objects.create(follower=follower, followee=followee)
            enqueue_on_commit("community.tasks.notify_follow_task", follow.pk)
    except IntegrityError as exc:
        if not _violates(exc, "follow_once"):
            raise
    else:
        profile_counts_forget(follower.pk, followee.pk)  # committed: the durable block has ended
    return Toggle(True, _follower_count(followee.pk))


def user_unfollow(*, follower: User, followee: User) -> Toggle:
    with transaction.atomic(durable=True):
        deleted, _rows = Follow.objects.filter(follower=follower, followee=followee).delete()
    if deleted:
        profile_counts_forget(follower.pk, followee.pk)
    return Toggle(False, _follower_count(followee.pk))


# --- comment likes ---------------------------------------------------------------------------------------


def _comment_like_count(comment_id: int) -> int:
    return Comment.objects.filter(pk=comment_id).values_list("like_count", flat=True).first() or 0


def _thread_lock(comment: Comment) -> None:
    """Lock a reply's top-level comment first, the order ``comment_delete`` takes them in."""
    if comment.parent_id is None:
        return
    if not Comment.objects.filter(pk=comment.parent_id).update(reply_count=F("reply_count")):
        raise NotFound(_("This comment does not exist."))


def comment_like(*, user: User, comment: Comment) -> Toggle:
    try:
        with transaction.atomic(durable=True):
            _thread_lock(comment)
            if not Comment.objects.filter(pk=comment.pk).update(like_count=F("like_count") + 1):
                raise NotFound(_("This comment does not exist."))
            like = CommentLike.objects.create(user=user, comment=comment)
            enqueue_on_commit("community.tasks.notify_comment_like_task", like.pk)
    except IntegrityError as exc:
        if not _violates(exc, "comment_like_once"):
            raise
    return Toggle(True, _comment_like_count(comment.pk))


def comment_unlike(*, user: User, comment: Comment) -> Toggle:
    with transaction.atomic(durable=True):
        _thread_lock(comment)
        deleted, _rows = CommentLike.objects.filter(user=user, comment=comment).delete()
        if deleted:
            Comment.objects.filter(pk=comment.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
    return Toggle(False, _comment_like_count(comment.pk))
