"""Profiles: the header with its counts, the notes / collects / likes tabs, boards, follower lists.

The header is one query (counts as subqueries of the user row); a tab page is its notes plus the
viewer's state for them; a follower list page is the follows plus which of those people the viewer
follows. Nothing depends on the page size.

Privacy: a visitor sees someone's public published notes only; the owner also sees their private and
under-review (or hidden) notes, labelled. ``User.collects_private`` / ``User.likes_private`` hide those
tabs from everybody but the owner, and private boards (the default board included) stay the owner's.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from accounts.models import User
from community import keys
from community.models import Board, Follow, Note
from community.selectors.access import note_visible_q
from community.selectors.feeds import FEED_PAGE_SIZE, NotePage, note_page_with_state
from community.selectors.notes import ViewerState, note_card_qs
from core.errors import NotFound
from core.keyset import Page, keyset_page

PROFILE_TABS = ("notes", "collects", "likes")
USERS_PAGE_SIZE = 30


def _authenticated(viewer) -> bool:
    return viewer is not None and viewer.is_authenticated


def _viewer_follows(viewer) -> Exists | Value:
    if not _authenticated(viewer):
        return Value(False, output_field=BooleanField())
    return Exists(Follow.objects.filter(follower_id=viewer.pk, followee_id=OuterRef("pk")))


@dataclass
class Profile:
    """A user as their profile shows them. ``user`` carries ``following_count``, ``follower_count``,
    ``received_count`` (likes and collects on their notes) and ``viewer_follows``."""

    user: User
    viewer_id: int | None

    @property
    def is_owner(self) -> bool:
        return self.viewer_id is not None and self.viewer_id == self.user.pk

    @property
    def collects_hidden(self) -> bool:
        return self.user.collects_private and not self.is_owner

    @property
    def likes_hidden(self) -> bool:
        return self.user.likes_private and not self.is_owner


# The header's counts cost a count over the user's followers and a sum over all their notes (4.7 ms for
# 10,000 followers and 4,000 notes): cached for a minute per user, dropped when a follow changes them
# (``community.services.interactions.profile_counts_forget``). Likes and collects received may lag by up to the TTL. When Redis is down
# the counts are computed in the same one query as before.
PROFILE_COUNTS_TTL = 60
COUNT_FIELDS = ("following_count", "follower_count", "received_count")


def _count_annotations() -> dict:
    following = Follow.objects.filter(follower_id=OuterRef("pk")).values("follower_id")
    followers = Follow.objects.filter(followee_id=OuterRef("pk")).values("followee_id")
    received = (
        Note.objects.filter(author_id=OuterRef("pk")).exclude(status=Note.Status.DRAFT).values("author_id")
    )
    return {
        "following_count": Coalesce(
            Subquery(following.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        "follower_count": Coalesce(
            Subquery(followers.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        "received_count": Coalesce(
            Subquery(
                received.annotate(n=Sum(F("like_count") + F("collect_count"))).values("n"),
                output_field=IntegerField(),
            ),
            0,
        ),
    }


def _counts_cached(user_id: int) -> list[int] | None:
    try:
        return cache.get(keys.profile_counts(user_id))
    except (ConnectionInterrupted, RedisError):
        return None


def _counts_remember(user_id: int, counts: list[int]) -> None:
    with contextlib.suppress(ConnectionInterrupted, RedisError):
        cache.set(keys.profile_counts(user_id), counts, PROFILE_COUNTS_TTL)


def profile_get(*, user_id, viewer) -> Profile:
    """The profile header in one query (its counts cached, see above); 404 for an unknown or
    deactivated user."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such user.")) from None
    base = User.objects.filter(pk=pk, is_active=True).only(
        "id", "username", "nickname", "avatar", "bio", "likes_private", "collects_private", "is_active"
    )
    counts = _counts_cached(pk)
    if counts is not None:
        user = base.annotate(viewer_follows=_viewer_follows(viewer)).first()
        if user is not None:
            for name, value in zip(COUNT_FIELDS, counts, strict=True):
                setattr(user, name, value)
    else:
        user = base.annotate(**_count_annotations(), viewer_follows=_viewer_follows(viewer)).first()
        if user is not None:
            _counts_remember(pk, [getattr(user, name) for name in COUNT_FIELDS])
    if user is None:
        raise NotFound(_("No such user."))
    return Profile(user=user, viewer_id=viewer.pk if _authenticated(viewer) else None)


def _empty() -> NotePage:
    return NotePage(page=Page(items=[]), state=ViewerState())


def profile_notes(
    *, profile: Profile, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE
) -> NotePage:
    """The user's notes, newest first; the owner's private and under-review ones included for them.
    Drafts are never here, not even for their writer: they have their own list (``note_drafts``)."""
    qs = note_card_qs().filter(author_id=profile.user.pk).exclude(status=Note.Status.DRAFT)
    if not profile.is_owner:
        qs = qs.filter(status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC)
    page = keyset_page(
        qs, keys=("-id",), cursor=cursor, size=size, salt=f"community.profile.{profile.user.pk}.notes"
    )
    return note_page_with_state(page, viewer=viewer)


def _through_page(qs: QuerySet, *, viewer, cursor, size, salt: str) -> NotePage:
    page = keyset_page(
        qs, keys=("-through_id",), cursor=cursor, size=size, salt=salt, key_of=lambda n: [n.through_id]
    )
    return note_page_with_state(page, viewer=viewer)


def profile_collects(
    *, profile: Profile, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE
) -> NotePage:
    """What the user collected, most recent first; empty when hidden from this viewer."""
    if profile.collects_hidden:
        return _empty()
    qs = note_card_qs().filter(note_visible_q(viewer))
    if profile.is_owner:
        qs = qs.filter(collects__user_id=profile.user.pk)
    else:
        qs = qs.filter(collects__user_id=profile.user.pk, collects__board__is_private=False)
    qs = qs.annotate(through_id=F("collects__id"))
    return _through_page(
        qs, viewer=viewer, cursor=cursor, size=size, salt=f"community.profile.{profile.user.pk}.collects"
    )


def profile_likes(
    *, profile: Profile, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE
) -> NotePage:
    """What the user liked, most recent first; empty when hidden from this viewer."""
    if profile.likes_hidden:
        return _empty()
    qs = (
        note_card_qs()
        .filter(note_visible_q(viewer))
        .filter(likes__user_id=profile.user.pk)
        .annotate(through_id=F("likes__id"))
    )
    return _through_page(
        qs, viewer=viewer, cursor=cursor, size=size, salt=f"community.profile.{profile.user.pk}.likes"
    )


# --- boards --------------------------------------------------------------------------------------------


def _board_cover_q(viewer) -> Q:
    """Which collected notes may lend a board its cover: ones this viewer may see."""
    q = Q(note__status=Note.Status.PUBLISHED, note__visibility=Note.Visibility.PUBLIC)
    if _authenticated(viewer):
        q |= Q(note__author_id=viewer.pk)
    return q


def profile_boards(*, profile: Profile, viewer) -> list[Board]:
    """The user's boards (only the public ones for visitors), each with ``cover_path`` and size of the
    latest note collected into it that the viewer may see. One query."""
    from community.models import Collect

    if profile.collects_hidden:
        return []
    qs = Board.objects.filter(owner_id=profile.user.pk)
    if not profile.is_owner:
        qs = qs.filter(is_private=False)
    latest = (
        Collect.objects.filter(_board_cover_q(viewer), board_id=OuterRef("pk"), note__cover__isnull=False)
        .exclude(note__cover__feed="")
        .order_by("-id")
    )
    boards = list(
        qs.annotate(cover_path=Subquery(latest.values("note__cover__feed")[:1])).order_by("-is_default", "id")
    )
    for board in boards:
        board.cover_url = default_storage.url(board.cover_path) if board.cover_path else None
    return boards


def board_get(*, board_id, viewer) -> Board:
    """A board its owner may always see and others only when it is public; else 404."""
    try:
        pk = int(board_id)
    except (TypeError, ValueError):
        raise NotFound(_("No such board.")) from None
    visible = Q(is_private=False, owner__is_active=True)
    if _authenticated(viewer):
        visible |= Q(owner_id=viewer.pk)
    board = (
        Board.objects.filter(visible, pk=pk)
        .select_related("owner")
        .only(
            "id",
            "name",
            "is_private",
            "is_default",
            "note_count",
            "owner_id",
            "owner__id",
            "owner__username",
            "owner__nickname",
            "owner__avatar",
            "owner__collects_private",
        )  # fmt: skip
        .first()
    )
    if board is None or (board.owner.collects_private and board.owner_id != getattr(viewer, "pk", None)):
        raise NotFound(_("No such board."))
    return board


def board_notes(*, board: Board, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE) -> NotePage:
    qs = (
        note_card_qs()
        .filter(note_visible_q(viewer))
        .filter(collects__board_id=board.pk)
        .annotate(through_id=F("collects__id"))
    )
    return _through_page(qs, viewer=viewer, cursor=cursor, size=size, salt=f"community.board.{board.pk}")


# --- follower lists ------------------------------------------------------------------------------------


@dataclass
class UserPage:
    """People in a follower / following list and which of them the viewer follows."""

    page: Page[User]
    viewer_follows: set[int]

    @property
    def users(self) -> list[User]:
        return self.page.items

    @property
    def next_cursor(self) -> str | None:
        return self.page.next_cursor


def _people_page(qs: QuerySet[User], *, viewer, cursor, size, salt) -> UserPage:
    qs = qs.only("id", "username", "nickname", "avatar", "bio")
    page = keyset_page(
        qs, keys=("-through_id",), cursor=cursor, size=size, salt=salt, key_of=lambda u: [u.through_id]
    )
    follows: set[int] = set()
    if _authenticated(viewer) and page.items:
        follows = set(
            Follow.objects.filter(
                follower_id=viewer.pk, followee_id__in=[u.pk for u in page.items]
            ).values_list("followee_id", flat=True)
        )
    return UserPage(page=page, viewer_follows=follows)


def followers_page(*, user: User, viewer, cursor: str | None = None, size: int = USERS_PAGE_SIZE) -> UserPage:
    """Who follows ``user``, most recent first."""
    qs = User.objects.filter(is_active=True, following_set__followee_id=user.pk).annotate(
        through_id=F("following_set__id")
    )
    return _people_page(qs, viewer=viewer, cursor=cursor, size=size, salt=f"community.followers.{user.pk}")


def following_page(*, user: User, viewer, cursor: str | None = None, size: int = USERS_PAGE_SIZE) -> UserPage:
    """Whom ``user`` follows, most recent first."""
    qs = User.objects.filter(is_active=True, follower_set__follower_id=user.pk).annotate(
        through_id=F("follower_set__id")
    )
    return _people_page(qs, viewer=viewer, cursor=cursor, size=size, salt=f"community.following.{user.pk}")
