"""The search page, its infinite-scroll fragments and the suggestions dropdown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note
from community.selectors import search as selectors
from community.selectors.search.notes import SORT_KEYS
from community.tests.factories import TopicFactory, indexed_note

pytestmark = pytest.mark.django_db

URL = reverse("community:search")
SUGGEST = reverse("community:search_suggest")


def test_the_page_shows_matching_notes_as_feed_cards_with_tabs_and_sort_chips(client):
    note = indexed_note(title="秋冬面霜测评", images=1)
    indexed_note(title="面霜 hidden", status=Note.Status.HIDDEN)

    response = client.get(URL, {"q": "面霜"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="note-card"') == 1
    assert f'data-note-id="{note.pk}"' in html
    assert 'data-testid="search-tab-users"' in html
    for key in SORT_KEYS:
        assert f'data-testid="search-sort-{key}"' in html
    assert 'aria-current="true" data-testid="search-sort-relevance"' in html


def test_sort_chips_change_the_order(client):
    old = indexed_note(title="防晒 old", like_count=10)
    new = indexed_note(title="防晒 new", like_count=1)

    liked = client.get(URL, {"q": "防晒", "sort": "liked"}).content.decode()
    newest = client.get(URL, {"q": "防晒", "sort": "newest"}).content.decode()

    assert liked.index(f'data-note-id="{old.pk}"') < liked.index(f'data-note-id="{new.pk}"')
    assert newest.index(f'data-note-id="{new.pk}"') < newest.index(f'data-note-id="{old.pk}"')


def test_scrolling_loads_the_next_page_as_a_fragment_without_repeats(client, monkeypatch):
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    notes = [indexed_note(title=f"面霜 {i}") for i in range(5)]

    page = client.get(URL, {"q": "面霜", "sort": "newest"})
    seen = [n.pk for n in page.context["notes"]]
    next_url = page.context["next_url"]
    while next_url:
        fragment = client.get(next_url, headers={"HX-Request": "true"})
        assert fragment.status_code == 200
        assert b"<html" not in fragment.content
        seen += [n.pk for n in fragment.context["notes"]]
        next_url = fragment.context["next_url"]

    assert seen == [n.pk for n in reversed(notes)]


def test_the_page_costs_the_same_queries_for_two_page_sizes(client, monkeypatch, django_assert_num_queries):
    viewer = UserFactory()
    client.force_login(viewer)
    for i in range(7):
        indexed_note(title=f"面霜 {i}", images=1)
    client.get(URL, {"q": "面霜"})  # warm the session and the user

    counts = []
    for size in (2, 6):
        monkeypatch.setattr(selectors, "PAGE_SIZE", size)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, {"q": "面霜"})
        assert len(response.context["notes"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[0]):
        client.get(URL, {"q": "面霜"})


def test_users_and_topics_tabs(client):
    user = UserFactory(username="mia", nickname="Mia的日常")
    TopicFactory(name="mia推荐", note_count=3)

    users = client.get(URL, {"q": "mia", "type": "users"}).content.decode()
    topics = client.get(URL, {"q": "mia", "type": "topics"}).content.decode()

    assert users.count('data-testid="search-user"') == 1
    assert reverse("community:profile", args=[user.pk]) in users
    assert topics.count('data-testid="search-topic"') == 1
    assert reverse("community:topic", args=["mia推荐"]) in topics


def test_an_empty_query_invites_a_search_and_shows_popular_topics(client):
    TopicFactory(name="学生党好物", note_count=9)

    html = client.get(URL).content.decode()

    assert 'data-testid="search-start"' in html
    assert "#学生党好物" in html


def test_no_results_says_so(client):
    html = client.get(URL, {"q": "不存在的词"}).content.decode()

    assert 'data-testid="search-empty"' in html


@pytest.mark.parametrize(
    "query",
    ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "面霜 & | ! ( ) : *", "x" * 10_000,
     "'; DROP TABLE community_note; --", "\x00"],
)  # fmt: skip
@pytest.mark.parametrize("tab", ["notes", "users", "topics"])
def test_hostile_queries_are_answered_and_escaped(client, query, tab):
    indexed_note(title="面霜")

    response = client.get(URL, {"q": query, "type": tab})
    suggest = client.get(SUGGEST, {"q": query})

    # A NUL can't be searched for: the site answers it with a 400 before search (core.middleware).
    expected = 400 if "\x00" in query else 200
    assert response.status_code == expected and suggest.status_code == expected
    html = response.content.decode() + suggest.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html


def test_a_forged_cursor_is_a_400_not_a_500(client):
    response = client.get(URL, {"q": "面霜", "cursor": "not-a-cursor"})

    assert response.status_code == 400


def test_unknown_sort_and_tab_fall_back_to_the_defaults(client):
    note = indexed_note(title="面霜")

    response = client.get(URL, {"q": "面霜", "sort": "bogus", "type": "bogus"})

    assert response.status_code == 200
    assert response.context["sort"] == "relevance" and response.context["tab"] == "notes"
    assert [n.pk for n in response.context["notes"]] == [note.pk]


def test_suggestions_list_topics_and_note_titles_escaped(client, django_assert_num_queries):
    TopicFactory(name="面霜推荐", note_count=5)
    note = indexed_note(title="<b>面霜</b>红黑榜")

    # topics, the newest id, titles, products
    with django_assert_num_queries(4):
        response = client.get(SUGGEST, {"q": "面"})

    html = response.content.decode()
    assert 'data-testid="suggest-topic"' in html and "面霜推荐" in html
    assert reverse("community:note", args=[note.pk]) in html
    assert "&lt;b&gt;面霜&lt;/b&gt;红黑榜" in html
    assert "hx-disable" in html


def test_nothing_to_suggest_is_an_empty_answer(client):
    assert client.get(SUGGEST, {"q": ""}).content == b""
    assert client.get(SUGGEST, {"q": "zzzz"}).content == b""


def test_the_top_search_box_asks_for_suggestions_and_submits_to_the_search_page(client):
    html = client.get(URL).content.decode()

    assert f'action="{URL}"' in html
    assert f'hx-get="{SUGGEST}"' in html
    assert 'id="search-suggest"' in html
