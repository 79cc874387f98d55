"""Feeds: discovery (hot), following (newest from people you follow), topics (hot or newest).

Every feed page costs a fixed number of queries whatever its size: the notes (author and cover
joined, keyset on an index), then the viewer's likes and collects among them (``viewer_state``). Every feed takes ``hide_sponsored``: the
reader's filter that leaves out notes written under a brand partnership (a condition on the same query).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from community.models import Follow, Note, Topic
from community.selectors.notes import ViewerState, note_public_qs, viewer_state, without_sponsored
from core.errors import NotFound
from core.keyset import Page, cursor_decode, keyset_page

FEED_PAGE_SIZE = 20

HOT_KEYS = ("-hot_score", "-id")
NEW_KEYS = ("-id",)


@dataclass
class NotePage:
    """A page of cards and the viewer's state for them: what ``note_card.html`` needs."""

    page: Page[Note]
    state: ViewerState

    @property
    def notes(self) -> list[Note]:
        return self.page.items

    @property
    def next_cursor(self) -> str | None:
        return self.page.next_cursor


def note_page_with_state(page: Page[Note], *, viewer) -> NotePage:
    return NotePage(page=page, state=viewer_state(viewer=viewer, note_ids=[n.pk for n in page.items]))


def feed_discover(
    *, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE, hide_sponsored: bool = False
) -> NotePage:
    """Public notes by hot score; ties broken by id so paging never repeats or skips one."""
    qs = without_sponsored(note_public_qs(), hide_sponsored=hide_sponsored)
    page = keyset_page(qs, keys=HOT_KEYS, cursor=cursor, size=size, salt="community.feed.hot")
    return note_page_with_state(page, viewer=viewer)


def _following_qs(*, viewer) -> QuerySet[Note]:
    followees = Follow.objects.filter(follower_id=viewer.pk).values("followee_id")
    return note_public_qs().filter(author_id__in=followees)


def feed_following(
    *, viewer, cursor: str | None = None, size: int = FEED_PAGE_SIZE, hide_sponsored: bool = False
) -> NotePage:
    """Newest first from the writers ``viewer`` follows (nothing for an anonymous viewer)."""
    if viewer is None or not viewer.is_authenticated:
        return NotePage(page=Page(items=[]), state=ViewerState())
    qs = without_sponsored(_following_qs(viewer=viewer), hide_sponsored=hide_sponsored)
    page = keyset_page(qs, keys=NEW_KEYS, cursor=cursor, size=size, salt="community.feed.following")
    return note_page_with_state(page, viewer=viewer)


TOPIC_SORTS = ("hot", "new")


def topic_get(*, name: str) -> Topic:
    topic = Topic.objects.filter(name=name).first()
    if topic is None:
        raise NotFound(_("No notes with this topic yet."))
    return topic


def _topic_page_ids(
    *, topic: Topic, sort: str, after: list | None, limit: int, hide_sponsored: bool
) -> RawSQL:
    """The ids of the topic's next ``limit`` listed notes, read from the link table in the order of its
    partial index (``note_topic_hot`` or ``note_topic_new``, migration 0007): a rare topic costs the same
    as a common one at any size, instead of walking the site's hot index to find the topic's notes."""
    where = ["topic_id = %s", "listed"]
    params: list = [topic.pk]
    if hide_sponsored:
        where.append("NOT sponsored")
    if sort == "new":
        order = "note_id DESC"
        if after is not None:
            where.append("note_id < %s")
            params.append(after[0])
    else:
        order = "hot_score DESC, note_id DESC"
        if after is not None:
            where.append("hot_score <= %s AND (hot_score < %s OR note_id < %s)")  # as keyset_after
            params += [after[0], after[0], after[1]]
    sql = f"SELECT note_id FROM community_note_topics WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %s"  # noqa: S608 - fixed fragments, values are parameters
    return RawSQL(sql, [*params, limit])  # noqa: S611 - fixed fragments, values are parameters


def topic_notes(
    *,
    topic: Topic,
    viewer,
    sort: str = "hot",
    cursor: str | None = None,
    size: int = FEED_PAGE_SIZE,
    hide_sponsored: bool = False,
) -> NotePage:
    keys = NEW_KEYS if sort == "new" else HOT_KEYS
    salt = f"community.topic.{topic.pk}.{sort}"
    after = cursor_decode(cursor, salt=salt, size=len(keys))
    ids = _topic_page_ids(topic=topic, sort=sort, after=after, limit=size + 1, hide_sponsored=hide_sponsored)
    # The notes are still filtered as every public list is (published, public, not sponsored when asked):
    # the link table only chooses which ids to look at.
    qs = without_sponsored(note_public_qs().filter(pk__in=ids), hide_sponsored=hide_sponsored)
    page = keyset_page(qs, keys=keys, cursor=cursor, size=size, salt=salt)
    return note_page_with_state(page, viewer=viewer)
