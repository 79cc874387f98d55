"""The community part of a person's "Me" page: their drafts, and how many notes, collects, boards and
likes they have. Shown there through a slot (docs/architecture.md, "How a lower app shows an upper app's
content"): accounts renders the page, the community fills it."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import IntegerField, QuerySet, Subquery

from accounts.models import User
from community.models import Board, Collect, Like, Note
from community.selectors.access import note_visible_q
from community.selectors.notes import note_drafts_qs

DRAFTS_SHOWN = 6


class _Count(Subquery):
    """``SELECT COUNT(*)`` of a queryset, as a column of the outer query."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _counted(qs: QuerySet) -> _Count:
    return _Count(qs.order_by().values("pk"))


@dataclass
class MeNotes:
    drafts: list[Note]
    draft_count: int
    note_count: int
    collect_count: int
    board_count: int
    like_count: int

    @property
    def more_drafts(self) -> int:
        return max(self.draft_count - len(self.drafts), 0)


def me_notes(*, user: User, drafts: int = DRAFTS_SHOWN) -> MeNotes:
    """Two queries whatever the numbers: the latest drafts, and every count in one statement. The
    counts match the lists they link to: published notes on the profile (drafts are counted apart),
    collects and likes of notes the person may still open."""
    visible = Note.objects.filter(note_visible_q(user))
    counts = (
        User.objects.filter(pk=user.pk)
        .values(
            n_notes=_counted(Note.objects.filter(author_id=user.pk).exclude(status=Note.Status.DRAFT)),
            n_drafts=_counted(note_drafts_qs(user=user)),
            n_collects=_counted(Collect.objects.filter(user_id=user.pk, note__in=visible)),
            n_boards=_counted(Board.objects.filter(owner_id=user.pk)),
            n_likes=_counted(Like.objects.filter(user_id=user.pk, note__in=visible)),
        )
        .first()
    ) or dict.fromkeys(("n_notes", "n_drafts", "n_collects", "n_boards", "n_likes"), 0)
    return MeNotes(
        drafts=list(note_drafts_qs(user=user)[:drafts]) if counts["n_drafts"] else [],
        draft_count=counts["n_drafts"],
        note_count=counts["n_notes"],
        collect_count=counts["n_collects"],
        board_count=counts["n_boards"],
        like_count=counts["n_likes"],
    )
