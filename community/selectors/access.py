"""``access_*``: fetch a row with the permission the caller needs, or answer 404 as if it did not exist.

Views and the API call these rather than filtering by owner or visibility themselves, so each rule lives
here once (docs/architecture.md, "Rules for services, selectors and tasks")."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Board, Comment, Note, NoteProduct
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


def comment_shown_q(user: User | None) -> Q:
    """Comments a viewer sees: visible ones, and their own hidden by moderation (shown to them as under
    review, so they can still reply under or delete it)."""
    q = Q(status=Comment.Status.VISIBLE)
    if user is not None and user.is_authenticated:
        q |= Q(author_id=user.pk)
    return q


def access_comment(*, user, comment_id) -> Comment:
    """A comment the viewer sees (``comment_shown_q``) on a note they may open (``note_visible_q``): the one
    rule for reading, replying to, liking, deleting and reporting a comment. Anything else is a 404, as if
    the comment did not exist."""
    comment = (
        Comment.objects.filter(comment_shown_q(user), pk=_int(comment_id))
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


def access_note_product(*, user, note_id, product_id) -> NoteProduct:
    """The purchase link for a card the viewer may see: its note is visible to them and tags the
    product. 404 otherwise (and nothing is recorded)."""
    try:
        note_pk, product_pk = int(note_id), int(product_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such product in this note.")) from None
    link = (
        NoteProduct.objects.filter(
            note__in=Note.objects.filter(note_visible_q(user), pk=note_pk), product_id=product_pk
        )
        .select_related("note", "product", "sku")
        .first()
    )
    if link is None:
        raise NotFound(_("No such product in this note."))
    return link
