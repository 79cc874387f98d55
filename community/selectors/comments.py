"""The comments of a note page, shaped for ``templates/community/partials/comments.html``.

A page of comments costs a fixed number of queries whatever its size:
1. the top-level comments (authors joined), ordered by likes then id, keyset-paged;
2. the first ``REPLIES_SHOWN`` replies under each of them, in one query (ROW_NUMBER over the parent);
3. the viewer's likes among every comment shown (skipped for anonymous viewers);
4. the @-ed users among the bodies shown (only when a body @s somebody).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from community.models import Comment, CommentLike, Note
from community.selectors.access import comment_shown_q
from community.text import mentions_parse, text_linkify
from core.keyset import cursor_encode, keyset_page

COMMENTS_PAGE_SIZE = 10
REPLIES_SHOWN = 2
REPLIES_PAGE_SIZE = 10
TOP_KEYS = ("-like_count", "id")
REPLY_KEYS = ("id",)
JUST_NOW = timedelta(minutes=1)
_AUTHOR_FIELDS = ("author__id", "author__username", "author__nickname", "author__avatar")


@dataclass
class CommentsPage:
    """Top-level comments, each with ``first_replies``, ``more_replies`` (how many are not shown yet),
    ``liked``, ``is_note_author``, ``can_delete`` and ``body_html`` set on it."""

    note: Note
    comments: list[Comment]
    next_cursor: str | None = None
    viewer_id: int | None = None
    liked: set[int] = field(default_factory=set)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    def __iter__(self):
        return iter(self.comments)

    def __len__(self) -> int:
        return len(self.comments)


@dataclass
class RepliesPage:
    parent: Comment
    replies: list[Comment]
    next_cursor: str | None = None
    viewer_id: int | None = None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def _viewer_id(viewer) -> int | None:
    return viewer.pk if viewer is not None and viewer.is_authenticated else None


def _comment_qs() -> QuerySet[Comment]:
    return Comment.objects.select_related("author").only(
        "id", "note_id", "author_id", "parent_id", "reply_to_id", "body", "status", "like_count",
        "reply_count", "created_at", *_AUTHOR_FIELDS,
    )  # fmt: skip


def _reply_qs() -> QuerySet[Comment]:
    return (
        _comment_qs()
        .select_related("reply_to")
        .only(
            "id",
            "note_id",
            "author_id",
            "parent_id",
            "reply_to_id",
            "body",
            "status",
            "like_count",
            "reply_count",
            "created_at",
            *_AUTHOR_FIELDS,
            "reply_to__id",
            "reply_to__username",
            "reply_to__nickname",
        )  # fmt: skip
    )


def _decorate(comments: list[Comment], *, note: Note, viewer_id: int | None) -> set[int]:
    """Set the per-viewer flags and the linked bodies on ``comments``: at most two queries."""
    ids = [c.pk for c in comments]
    liked: set[int] = set()
    if viewer_id is not None and ids:
        liked = set(
            CommentLike.objects.filter(user_id=viewer_id, comment_id__in=ids).values_list(
                "comment_id", flat=True
            )
        )
    handles = {h for c in comments for h in mentions_parse(c.body)}
    mentioned: dict[str, int] = {}
    if handles:
        mentioned = dict(
            User.objects.filter(username__in=handles, is_active=True).values_list("username", "pk")
        )
    recent = timezone.now() - JUST_NOW
    for c in comments:
        c.just_now = c.created_at > recent
        c.liked = c.pk in liked
        c.is_note_author = c.author_id == note.author_id
        c.can_delete = viewer_id is not None and viewer_id in (c.author_id, note.author_id)
        c.under_review = c.status != Comment.Status.VISIBLE
        c.body_html = text_linkify(
            c.body, mentioned={h: mentioned[h] for h in mentions_parse(c.body) if h in mentioned}
        )
    return liked


def comments_page(
    *, note: Note, viewer, cursor: str | None = None, size: int = COMMENTS_PAGE_SIZE
) -> CommentsPage:
    """A page of ``note``'s top-level comments (most liked first, then oldest), each with its first
    replies. ``cursor`` is the ``next_cursor`` of the page before (a bad one is a 400)."""
    viewer_id = _viewer_id(viewer)
    page = keyset_page(
        _comment_qs().filter(comment_shown_q(viewer), note_id=note.pk, parent=None),
        keys=TOP_KEYS,
        cursor=cursor,
        size=size,
        salt="community.comments",
    )
    comments = page.items
    replies_by_parent: dict[int, list[Comment]] = {c.pk: [] for c in comments}
    if comments:
        replies = (
            _reply_qs()
            .filter(comment_shown_q(viewer), parent_id__in=list(replies_by_parent))
            .annotate(rank=Window(RowNumber(), partition_by=[F("parent_id")], order_by=[F("id").asc()]))
            .filter(rank__lte=REPLIES_SHOWN)
            .order_by("parent_id", "id")
        )
        for reply in replies:
            replies_by_parent[reply.parent_id].append(reply)
    shown = list(comments)
    for c in comments:
        c.first_replies = replies_by_parent[c.pk]
        c.more_replies = max(c.reply_count - len(c.first_replies), 0)
        c.replies_cursor = _replies_cursor(c.first_replies[-1]) if c.more_replies else None
        shown.extend(c.first_replies)
    liked = _decorate(shown, note=note, viewer_id=viewer_id)
    return CommentsPage(
        note=note, comments=comments, next_cursor=page.next_cursor, viewer_id=viewer_id, liked=liked
    )


def comments_first_page(*, note: Note, viewer, size: int = COMMENTS_PAGE_SIZE) -> CommentsPage:
    """What the note page shows under the note: see ``comments_page``."""
    return comments_page(note=note, viewer=viewer, cursor=None, size=size)


def _replies_cursor(reply: Comment) -> str:
    return cursor_encode([reply.pk], salt="community.replies")


def replies_page(
    *, parent: Comment, viewer, cursor: str | None = None, size: int = REPLIES_PAGE_SIZE
) -> RepliesPage:
    """Replies under ``parent`` (oldest first) after ``cursor``: "show more replies"."""
    viewer_id = _viewer_id(viewer)
    page = keyset_page(
        _reply_qs().filter(comment_shown_q(viewer), parent_id=parent.pk),
        keys=REPLY_KEYS,
        cursor=cursor,
        size=size,
        salt="community.replies",
    )
    _decorate(page.items, note=parent.note, viewer_id=viewer_id)
    return RepliesPage(parent=parent, replies=page.items, next_cursor=page.next_cursor, viewer_id=viewer_id)
