"""People and topics found by name: every word of the query must be in the name; the exact name first,
then names that start with it."""

from __future__ import annotations

import unicodedata

from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from accounts.models import User
from community.models import Follow, Note, Topic
from community.selectors.search import PAGE_SIZE, SearchPage, cursor_salt
from core.keyset import keyset_page

NAME_QUERY_MAX = 30


def _name_words(query: str) -> list[str]:
    text = unicodedata.normalize("NFKC", query or "")[: NAME_QUERY_MAX * 4]
    # Control characters (NUL among them) can't be in a name, and PostgreSQL refuses NUL in a string.
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text).strip()
    return [word for word in text[:NAME_QUERY_MAX].split() if word][:3]


def _name_rank(words: list[str], *fields: str) -> Case:
    """2 when a field is exactly the query, 1 when it starts with it, else 0."""
    whole = " ".join(words)
    exact = Q()
    starts = Q()
    for name in fields:
        exact |= Q(**{f"{name}__iexact": whole})
        starts |= Q(**{f"{name}__istartswith": whole})
    return Case(When(exact, then=Value(2)), When(starts, then=Value(1)), default=Value(0))


def users_search(*, query: str, cursor: str | None = None, page_size: int = PAGE_SIZE) -> SearchPage:
    """Active users whose nickname or username contains every word of ``query``: exact names first,
    then names that start with it, then the newest accounts; with follower and public note counts."""
    words = _name_words(query)
    if not words:
        return SearchPage(items=[], searched=False)
    queryset = User.objects.filter(is_active=True)
    for word in words:
        queryset = queryset.filter(Q(nickname__icontains=word) | Q(username__icontains=word))
    followers = (
        Follow.objects.filter(followee=OuterRef("pk"))
        .order_by()
        .values("followee")
        .annotate(n=Count("id"))
        .values("n")
    )
    notes = (
        Note.objects.filter(
            author=OuterRef("pk"), status=Note.Status.PUBLISHED, visibility=Note.Visibility.PUBLIC
        )
        .order_by()
        .values("author")
        .annotate(n=Count("id"))
        .values("n")
    )
    queryset = queryset.only("id", "username", "nickname", "avatar", "bio").annotate(
        name_rank=_name_rank(words, "username", "nickname"),
        follower_count=Coalesce(Subquery(followers, output_field=IntegerField()), 0),
        note_count=Coalesce(Subquery(notes, output_field=IntegerField()), 0),
    )
    page = keyset_page(
        queryset, keys=("-name_rank", "-id"), cursor=cursor, size=page_size, salt=cursor_salt("users")
    )
    return SearchPage(items=page.items, next_cursor=page.next_cursor)


def topics_search(*, query: str, cursor: str | None = None, page_size: int = PAGE_SIZE) -> SearchPage:
    """Topics whose name contains every word of ``query`` (a leading # is ignored): the exact name
    first, then names that start with it, then by how many notes they have."""
    words = _name_words((query or "").replace("#", " "))
    if not words:
        return SearchPage(items=[], searched=False)
    queryset = Topic.objects.all()
    for word in words:
        queryset = queryset.filter(name__icontains=word)
    queryset = queryset.annotate(name_rank=_name_rank(words, "name"))
    page = keyset_page(
        queryset,
        keys=("-name_rank", "-note_count", "id"),
        cursor=cursor,
        size=page_size,
        salt=cursor_salt("topics"),
    )
    return SearchPage(items=page.items, next_cursor=page.next_cursor)
