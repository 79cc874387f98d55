"""Feed pages: the waterfall, its htmx pages and no-JavaScript links, tabs, empty states, query counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors import feeds as selectors
from community.tests.factories import FeedNoteFactory, follow, like

pytestmark = pytest.mark.django_db

CARD_IDS = re.compile(r'data-note-id="(\d+)"')


def card_ids(response) -> list[int]:
    return [int(i) for i in CARD_IDS.findall(response.content.decode())]


def sentinel_url(response) -> str:
    """The URL the infinite-scroll sentinel asks for next."""
    found = re.search(r'<div class="feed-more" hx-get="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&")


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(selectors, "FEED_PAGE_SIZE", 3)


def test_home_shows_cards_with_cover_size_title_author_and_likes(client):
    writer = UserFactory(nickname="Lily爱护肤")
    note = FeedNoteFactory(author=writer, title="敏感肌救星面霜", cover__width=540, cover__height=720)
    Note.objects.filter(pk=note.pk).update(like_count=1234)

    response = client.get(reverse("community:feed_hot"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "敏感肌救星面霜" in html and "Lily爱护肤" in html
    assert "--r: 133" in html  # the card reserves its cover's 3:4 space before the image loads
    assert 'width="540" height="720"' in html
    assert "1.2k" in html
    assert reverse("community:note", args=[note.pk]) in html
    assert reverse("community:profile", args=[writer.pk]) in html
    assert 'data-testid="feed-tab-discover"' in html and 'aria-current="page"' in html
    assert "community-feed.css" in html and "js/feed.js" in html


def test_cards_escape_hostile_titles_and_disable_htmx_inside(client):
    FeedNoteFactory(title="<script>x</script>", author=UserFactory(nickname='<b hx-get="/x">'))

    html = client.get(reverse("community:feed_hot")).content.decode()

    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert '<b hx-get="/x">' not in html
    assert re.search(r'<article class="note-card" hx-disable', html)


def test_a_liked_card_shows_a_filled_heart(client):
    reader = UserFactory()
    liked, other = FeedNoteFactory.create_batch(2)
    like(reader, liked)
    client.force_login(reader)

    html = client.get(reverse("community:feed_hot")).content.decode()

    card = html[html.index(f'data-note-id="{liked.pk}"') :]
    card = card[: card.index("</article>")]
    assert "is-liked" in card
    other_card = html[html.index(f'data-note-id="{other.pk}"') :]
    assert "is-liked" not in other_card[: other_card.index("</article>")]


def test_the_sentinel_loads_the_next_page_as_a_fragment(client, small_pages):
    notes = FeedNoteFactory.create_batch(7)
    newest_first = [n.pk for n in reversed(notes)]

    first = client.get(reverse("community:feed_hot"))
    html = first.content.decode()
    sentinel = re.search(
        r'<div class="feed-more" hx-get="([^"]+)" hx-trigger="revealed" hx-swap="outerHTML"', html
    )
    assert card_ids(first) == newest_first[:3]
    assert sentinel

    url = sentinel.group(1).replace("&amp;", "&")
    second = client.get(url, headers={"HX-Request": "true"})

    assert second.status_code == 200
    assert "<html" not in second.content.decode()  # only the cards and the next sentinel
    assert card_ids(second) == newest_first[3:6]
    assert "HX-Request" in second.headers["Vary"]
    assert 'class="feed-more"' in second.content.decode()


def test_without_javascript_the_more_link_opens_the_next_page(client, small_pages):
    notes = FeedNoteFactory.create_batch(4)
    html = client.get(reverse("community:feed_hot")).content.decode()
    link = re.search(r'<a class="btn btn-outline feed-more-link" href="([^"]+)"', html).group(1)

    response = client.get(link.replace("&amp;", "&"))

    assert "<html" in response.content.decode()
    assert card_ids(response) == [notes[0].pk]
    assert 'data-testid="feed-end"' in response.content.decode()


def test_a_tampered_cursor_is_a_400_page_not_a_500(client):
    FeedNoteFactory()
    response = client.get(reverse("community:feed_hot"), {"cursor": "garbage:garbage"})
    assert response.status_code == 400
    assert "out of date" in response.content.decode()


def test_empty_home_says_what_to_do(client):
    html = client.get(reverse("community:feed_hot")).content.decode()
    assert 'data-testid="empty"' in html
    assert reverse("community:note_new") in html


def test_following_feed_empty_states(client):
    response = client.get(reverse("community:feed_following"))
    assert "Log in to see" in response.content.decode()

    client.force_login(UserFactory())
    response = client.get(reverse("community:feed_following"))
    assert "Follow writers to see their notes here." in response.content.decode()


def test_following_feed_shows_followed_writers_newest_first(client):
    reader, writer, stranger = UserFactory.create_batch(3)
    follow(reader, writer)
    old, new = FeedNoteFactory.create_batch(2, author=writer)
    FeedNoteFactory(author=stranger)
    client.force_login(reader)

    response = client.get(reverse("community:feed_following"))

    assert card_ids(response) == [new.pk, old.pk]
    assert 'data-testid="feed-tab-following"' in response.content.decode()


def test_topic_page_has_a_header_and_sorts(client):
    hot = FeedNoteFactory(topics=["学生党"], hot_score=9)
    new = FeedNoteFactory(topics=["学生党"], hot_score=1)
    FeedNoteFactory(topics=["other"])
    from community.models import Topic

    Topic.objects.filter(name="学生党").update(note_count=2)

    hot_page = client.get(reverse("community:topic", args=["学生党"]))
    new_page = client.get(reverse("community:topic", args=["学生党"]), {"sort": "new"})

    assert 'data-testid="topic-name">学生党<' in hot_page.content.decode()
    assert "2 notes" in hot_page.content.decode()
    assert card_ids(hot_page) == [hot.pk, new.pk]
    assert card_ids(new_page) == [new.pk, hot.pk]


def test_an_unknown_topic_is_404(client):
    assert client.get(reverse("community:topic", args=["nothing-here"])).status_code == 404


# --- query counts -----------------------------------------------------------------------------------------


def _feed_pages(count: int, reader):
    writers = UserFactory.create_batch(3)
    for writer in writers:
        follow(reader, writer)
    for i in range(count):
        note = FeedNoteFactory(author=writers[i % 3], topics=["种草"])
        if i % 2:
            like(reader, note)


# Anonymous: the page's notes (viewer state needs no query). Signed in, add the session's user, the
# unread count of the tab bar, and the viewer's likes and collects.
PAGE_QUERIES = {
    "community:feed_hot": (1, 4),
    "community:feed_following": (0, 4),
    "community:topic": (2, 5),
}


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("url_name", list(PAGE_QUERIES))
def test_feed_pages_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, monkeypatch, size, url_name
):
    monkeypatch.setattr(selectors, "FEED_PAGE_SIZE", size)
    reader = UserFactory()
    _feed_pages(2 * size + 1, reader)
    url = reverse(url_name, args=["种草"]) if url_name == "community:topic" else reverse(url_name)
    anonymous, signed_in = PAGE_QUERIES[url_name]

    with django_assert_num_queries(anonymous):
        response = client.get(url)
    assert response.status_code == 200

    client.force_login(reader)
    client.get(url)  # warm the session cache
    with django_assert_num_queries(signed_in):
        response = client.get(url)
    assert len(card_ids(response)) == size

    next_url = sentinel_url(response)
    with django_assert_num_queries(signed_in):
        fragment = client.get(next_url, headers={"HX-Request": "true"})
    assert len(card_ids(fragment)) == size
