"""Profiles: header counts in one query, tabs (notes / collects / likes) with privacy, boards, follower
lists, board pages; keyset paging and fixed query counts for two page sizes."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Board, Note
from community.selectors import feeds as feed_selectors
from community.selectors import profiles as selectors
from community.tests.factories import FeedNoteFactory, collect, follow, like

pytestmark = pytest.mark.django_db

CARD_IDS = re.compile(r'data-note-id="(\d+)"')


def card_ids(response) -> list[int]:
    return [int(i) for i in CARD_IDS.findall(response.content.decode())]


def all_ids(fetch, *, size: int) -> list[int]:
    ids, cursor = [], None
    while True:
        page = fetch(cursor=cursor, size=size)
        items = page.notes if hasattr(page, "notes") else page.users
        ids += [item.pk for item in items]
        cursor = page.next_cursor
        if cursor is None:
            return ids


# --- the header ---------------------------------------------------------------------------------------


def test_profile_counts_following_followers_and_likes_and_collects_received(django_assert_num_queries):
    writer, viewer, a, b = UserFactory.create_batch(4)
    follow(a, writer)
    follow(b, writer)
    follow(viewer, writer)
    follow(writer, a)
    first, second = FeedNoteFactory.create_batch(2, author=writer)
    Note.objects.filter(pk=first.pk).update(like_count=10, collect_count=3)
    Note.objects.filter(pk=second.pk).update(like_count=2, collect_count=1)

    with django_assert_num_queries(1):
        profile = selectors.profile_get(user_id=writer.pk, viewer=viewer)

    assert (profile.user.following_count, profile.user.follower_count, profile.user.received_count) == (
        1,
        3,
        16,
    )
    assert profile.user.viewer_follows is True
    assert profile.is_owner is False
    assert selectors.profile_get(user_id=writer.pk, viewer=AnonymousUser()).user.viewer_follows is False


def test_a_new_user_has_zero_counts():
    user = UserFactory()
    profile = selectors.profile_get(user_id=user.pk, viewer=user)
    assert (profile.user.following_count, profile.user.follower_count, profile.user.received_count) == (
        0,
        0,
        0,
    )
    assert profile.is_owner


@pytest.mark.parametrize("user_id", ["999999", "abc"])
def test_unknown_or_inactive_users_are_404(client, user_id):
    assert client.get(f"/users/{user_id}/").status_code == 404
    inactive = UserFactory(is_active=False)
    assert client.get(reverse("community:profile", args=[inactive.pk])).status_code == 404


# --- tabs -----------------------------------------------------------------------------------------------


def test_others_see_only_public_published_notes_the_owner_sees_all_with_labels(client):
    writer, visitor = UserFactory.create_batch(2)
    public = FeedNoteFactory(author=writer)
    private = FeedNoteFactory(author=writer, visibility=Note.Visibility.PRIVATE)
    review = FeedNoteFactory(author=writer, status=Note.Status.UNDER_REVIEW)
    hidden = FeedNoteFactory(author=writer, status=Note.Status.HIDDEN)
    url = reverse("community:profile", args=[writer.pk])

    assert card_ids(client.get(url)) == [public.pk]
    client.force_login(visitor)
    assert card_ids(client.get(url)) == [public.pk]
    client.force_login(writer)
    response = client.get(url)
    assert card_ids(response) == [hidden.pk, review.pk, private.pk, public.pk]
    html = response.content.decode()
    assert html.count('data-testid="note-label">Under review<') == 2
    assert html.count('data-testid="note-label">Only me<') == 1


def test_collects_tab_shows_public_boards_to_others_and_everything_to_the_owner(client):
    owner, visitor, writer = UserFactory.create_batch(3)
    public_board = Board.objects.create(owner=owner, name="Skincare", is_private=False)
    private_board = Board.objects.create(owner=owner, name="Secret", is_private=True)
    in_public = FeedNoteFactory(author=writer)
    in_private = FeedNoteFactory(author=writer)
    someone_elses_private = FeedNoteFactory(author=writer, visibility=Note.Visibility.PRIVATE)
    collect(owner, in_public, public_board)
    collect(owner, in_private, private_board)
    collect(owner, someone_elses_private, public_board)
    url = reverse("community:profile", args=[owner.pk]) + "?tab=collects"

    client.force_login(visitor)
    response = client.get(url)
    assert card_ids(response) == [in_public.pk]
    html = response.content.decode()
    assert "Skincare" in html and "Secret" not in html

    client.force_login(owner)
    response = client.get(url)
    assert card_ids(response) == [in_private.pk, in_public.pk]  # not the note its writer made private
    assert "Secret" in response.content.decode()


def test_private_collects_and_likes_say_private_to_others_only(client):
    owner, visitor = UserFactory.create_batch(2)
    owner.collects_private = owner.likes_private = True
    owner.save(update_fields=["collects_private", "likes_private"])
    note = FeedNoteFactory()
    like(owner, note)
    collect(owner, note)
    url = reverse("community:profile", args=[owner.pk])

    client.force_login(visitor)
    for tab in ("collects", "likes"):
        response = client.get(url, {"tab": tab})
        assert card_ids(response) == []
        assert 'data-testid="tab-private"' in response.content.decode()
        assert "private" in response.content.decode()

    client.force_login(owner)
    for tab in ("collects", "likes"):
        assert card_ids(client.get(url, {"tab": tab})) == [note.pk]


def test_likes_tab_lists_visible_liked_notes_most_recent_like_first(client):
    owner = UserFactory()
    a, b, c = FeedNoteFactory.create_batch(3)
    hidden = FeedNoteFactory(status=Note.Status.HIDDEN)
    for note in (b, hidden, a, c):
        like(owner, note)

    response = client.get(reverse("community:profile", args=[owner.pk]), {"tab": "likes"})

    assert card_ids(response) == [c.pk, a.pk, b.pk]


@pytest.mark.parametrize("tab", ["notes", "collects", "likes"])
def test_profile_tabs_page_without_repeats_or_gaps(tab):
    owner = UserFactory()
    if tab == "notes":
        notes = FeedNoteFactory.create_batch(8, author=owner)
        expected = [n.pk for n in reversed(notes)]
    else:
        notes = FeedNoteFactory.create_batch(8)
        for note in notes[::2] + notes[1::2]:  # the order of the likes, not of the notes
            (like if tab == "likes" else collect)(owner, note)
        expected = [n.pk for n in reversed(notes[::2] + notes[1::2])]
    profile = selectors.profile_get(user_id=owner.pk, viewer=owner)
    select = {
        "notes": selectors.profile_notes,
        "collects": selectors.profile_collects,
        "likes": selectors.profile_likes,
    }

    ids = all_ids(lambda **kw: select[tab](profile=profile, viewer=owner, **kw), size=3)

    assert ids == expected


# --- boards ---------------------------------------------------------------------------------------------


def test_board_page_lists_its_notes_and_private_boards_are_404_for_others(client):
    owner, visitor = UserFactory.create_batch(2)
    public = Board.objects.create(owner=owner, name="Bags", is_private=False)
    private = Board.objects.create(owner=owner, name="Gifts", is_private=True)
    a, b = FeedNoteFactory.create_batch(2)
    collect(owner, a, public)
    collect(owner, b, public)

    response = client.get(reverse("community:board", args=[public.pk]))
    assert response.status_code == 200
    assert card_ids(response) == [b.pk, a.pk]
    assert 'data-testid="board-name">Bags' in response.content.decode()

    assert client.get(reverse("community:board", args=[private.pk])).status_code == 404
    client.force_login(visitor)
    assert client.get(reverse("community:board", args=[private.pk])).status_code == 404
    client.force_login(owner)
    assert client.get(reverse("community:board", args=[private.pk])).status_code == 200


def test_a_public_board_of_someone_with_private_collects_is_404_for_others(client):
    owner = UserFactory(collects_private=True)
    board = Board.objects.create(owner=owner, name="Bags", is_private=False)
    assert client.get(reverse("community:board", args=[board.pk])).status_code == 404


def test_boards_list_with_covers_in_one_query(django_assert_num_queries):
    owner, writer = UserFactory.create_batch(2)
    boards = [Board.objects.create(owner=owner, name=f"B{i}") for i in range(4)]
    for board in boards:
        collect(owner, FeedNoteFactory(author=writer), board)
    collect(owner, FeedNoteFactory(author=writer, visibility=Note.Visibility.PRIVATE), boards[0])
    profile = selectors.profile_get(user_id=owner.pk, viewer=None)

    with django_assert_num_queries(1):
        listed = selectors.profile_boards(profile=profile, viewer=None)

    assert [b.pk for b in listed] == [b.pk for b in boards]
    assert all(b.cover_url and b.cover_url.endswith(".webp") for b in listed)


# --- follower lists -------------------------------------------------------------------------------------


def test_follower_lists_page_most_recent_first_and_mark_whom_the_viewer_follows():
    star, viewer = UserFactory.create_batch(2)
    fans = UserFactory.create_batch(7)
    for fan in fans:
        follow(fan, star)
    follow(viewer, fans[2])

    ids = all_ids(lambda **kw: selectors.followers_page(user=star, viewer=viewer, **kw), size=3)
    page = selectors.followers_page(user=star, viewer=viewer, size=10)

    assert ids == [f.pk for f in reversed(fans)]
    assert page.viewer_follows == {fans[2].pk}


def test_following_list_pages_too():
    fan = UserFactory()
    stars = UserFactory.create_batch(5)
    for star in stars:
        follow(fan, star)
    assert all_ids(lambda **kw: selectors.following_page(user=fan, viewer=None, **kw), size=2) == [
        s.pk for s in reversed(stars)
    ]


def test_follower_list_pages_render(client):
    star = UserFactory(nickname="Star")
    fan = UserFactory(nickname="<i>Fan</i>", bio="loves bags")
    follow(fan, star)

    followers = client.get(reverse("community:followers", args=[star.pk]))
    following = client.get(reverse("community:following", args=[fan.pk]))

    assert followers.status_code == following.status_code == 200
    assert "&lt;i&gt;Fan&lt;/i&gt;" in followers.content.decode()
    assert "loves bags" in followers.content.decode()
    assert "Star" in following.content.decode()


# --- query counts -----------------------------------------------------------------------------------------


def _profile_world(size: int):
    owner, viewer = UserFactory.create_batch(2)
    writers = UserFactory.create_batch(3)
    board = Board.objects.create(owner=owner, name="Picks")
    for i in range(2 * size + 1):
        FeedNoteFactory(author=owner)
        note = FeedNoteFactory(author=writers[i % 3])
        like(owner, note)
        collect(owner, note, board)
        like(viewer, note)
        fan = UserFactory()
        follow(fan, owner)
        follow(owner, fan)
        if i % 2:
            follow(viewer, fan)
    return owner, viewer


# Signed in: the session's user, the unread count of the tab bar, the profile row with its counts, the
# tab's notes, the viewer's likes and collects (and the boards on the collects tab's first page).
PROFILE_QUERIES = {"notes": 5, "collects": 6, "likes": 5}


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("tab", list(PROFILE_QUERIES))
def test_profile_tabs_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, monkeypatch, size, tab
):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", size)
    owner, viewer = _profile_world(size)
    url = reverse("community:profile", args=[owner.pk]) + f"?tab={tab}"
    client.force_login(viewer)
    client.get(url)

    with django_assert_num_queries(PROFILE_QUERIES[tab]):
        response = client.get(url)

    assert len(card_ids(response)) == size
    next_url = re.search(r'<div class="feed-more" hx-get="([^"]+)"', response.content.decode()).group(1)
    with django_assert_num_queries(5):  # no boards strip on later pages
        fragment = client.get(next_url.replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert len(card_ids(fragment)) == size


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("url_name", ["community:followers", "community:following"])
def test_follower_list_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, monkeypatch, size, url_name
):
    monkeypatch.setattr(selectors, "USERS_PAGE_SIZE", size)
    owner, viewer = _profile_world(size)
    url = reverse(url_name, args=[owner.pk])
    client.force_login(viewer)
    client.get(url)

    # user, unread count, the profile row, the people, whom the viewer follows among them
    with django_assert_num_queries(5):
        response = client.get(url)

    assert response.content.decode().count('data-testid="person"') == size


@pytest.mark.parametrize("size", [3, 12])
def test_board_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries, monkeypatch, size):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", size)
    owner, viewer = _profile_world(size)
    board = Board.objects.get(owner=owner, name="Picks")
    client.force_login(viewer)
    url = reverse("community:board", args=[board.pk])
    client.get(url)

    with django_assert_num_queries(5):  # user, unread count, the board, its notes, viewer state
        response = client.get(url)

    assert len(card_ids(response)) == size
