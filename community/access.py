"""``access_*``: fetch a row with the permission the caller needs, or answer 404 as if it did not exist."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Board, Comment, Note
from core.errors import NotFound


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise NotFound(_("No such page.")) from None


def note_visible_q(user: User | None) -> Q:
    """Notes a viewer may open: public and published, or their own in any state."""
    q = Q(status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC)
    if user is not None and user.is_authenticated:
        q |= Q(author=user)
    return q


def access_note_for_view(*, user, note_id) -> Note:
    note = Note.objects.filter(note_visible_q(user), pk=_int(note_id)).select_related("author").first()
    if note is None:
        raise NotFound(_("This note does not exist or is not visible."))
    return note


def access_note_for_edit(*, user, note_id) -> Note:
    note = Note.objects.filter(pk=_int(note_id), author_id=getattr(user, "pk", None)).first()
    if note is None:
        raise NotFound(_("This note does not exist or is not yours."))
    return note


def access_comment_for_view(*, user, comment_id) -> Comment:
    comment = (
        Comment.objects.filter(pk=_int(comment_id), status=Comment.Status.VISIBLE)
        .filter(note__in=Note.objects.filter(note_visible_q(user)))
        .select_related("note", "author")
        .first()
    )
    if comment is None:
        raise NotFound(_("This comment does not exist."))
    return comment


def access_board(*, user, board_id) -> Board:
    board = Board.objects.filter(pk=_int(board_id), owner_id=getattr(user, "pk", None)).first()
    if board is None:
        raise NotFound(_("No such board."))
    return board


def access_user(*, user_id) -> User:
    found = User.objects.filter(pk=_int(user_id), is_active=True).first()
    if found is None:
        raise NotFound(_("No such user."))
    return found
