"""Reads for collecting: the board picker of a note."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import User
from community.models import Board, Collect, Note
from community.services.interactions import DEFAULT_BOARD_NAME


@dataclass
class CollectPicker:
    """The viewer's boards, the default one first, and the board ``note`` is collected in (None if not).

    A viewer who never collected has no default board yet: it is offered unsaved (``pk`` None), and
    choosing it collects without a ``board_id``, which makes it (``board_default``)."""

    boards: list[Board]
    current_board_id: int | None

    @property
    def collected(self) -> bool:
        return self.current_board_id is not None


def collect_picker(*, user: User, note: Note) -> CollectPicker:
    """Two queries, no writes: a GET of the picker never makes the default board."""
    boards = list(Board.objects.filter(owner=user).order_by("-is_default", "id"))
    if not (boards and boards[0].is_default):
        boards.insert(0, Board(owner=user, name=DEFAULT_BOARD_NAME, is_default=True, is_private=True))
    current = Collect.objects.filter(user=user, note=note).values_list("board_id", flat=True).first()
    return CollectPicker(boards=boards, current_board_id=current)
