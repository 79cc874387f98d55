"""Sponsored disclosure everywhere a note shows (feed cards, topic, following, search, the note page, the
API), the reader's ``?sponsored=hide`` filter on pages and API (kept while paging), and fixed query
counts with trust chips on the cards."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.selectors import feeds as feed_selectors
from community.selectors import search as search_selectors
from community.selectors.search.notes import notes_search
from community.tests.factories import FeedNoteFactory, follow, like
from community.tests.support.trust import (
    order_delivered,
    product,
    sponsored_note,
    tagged_note,
    writer_shopper,
)

pytestmark = pytest.mark.django_db

CARD_IDS = re.compile(r'data-note-id="(\d+)"')


@pytest.fixture
def api():
    return APIClient()


def card_ids(response) -> list[int]:
    return [int(i) for i in CARD_IDS.findall(response.content.decode())]


def card_html(html: str, note_id: int) -> str:
    start = html.index(f'data-note-id="{note_id}"')
    return html[start : html.index("</article>", start)]


def sentinel_url(response) -> str:
    found = re.search(r'class="feed-more" hx-get="([^"]+)"', response.content.decode())
    return found.group(1).replace("&amp;", "&")


def toggle_url(response) -> str:
    found = re.search(r'href="([^"]+)" data-testid="sponsored-toggle"', response.content.decode())
    return found.group(1).replace("&amp;", "&")


# --- the label -------------------------------------------------------------------------------------------


def test_a_sponsored_note_is_labelled_with_its_brand_on_every_page(client):
    reader = UserFactory()
    note = sponsored_note(brand_name="Glossier", title="面霜 spring", topics=["护肤"])
    plain = FeedNoteFactory(title="面霜 plain", topics=["护肤"])
    follow(reader, note.author)
    follow(reader, plain.author)
    client.force_login(reader)

    pages = {
        "home": client.get(reverse("home")),
        "following": client.get(reverse("community:feed_following")),
        "topic": client.get(reverse("community:topic", args=["护肤"])),
    }
    from community.services.search import note_search_index

    note_search_index(note_id=plain.pk)
    pages["search"] = client.get(reverse("community:search"), {"q": "面霜"})

    for name, response in pages.items():
        html = response.content.decode()
        assert "Sponsored · Glossier" in card_html(html, note.pk), name
        assert 'data-testid="chip-sponsored"' not in card_html(html, plain.pk), name
        assert "community-trust.css" in html, name
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert re.search(r'data-testid="note-sponsored">Sponsored · <strong>Glossier</strong>', page)
    plain_page = client.get(reverse("community:note", args=[plain.pk])).content.decode()
    assert 'data-testid="note-sponsored"' not in plain_page


def test_brand_names_are_escaped_in_labels(client):
    note = sponsored_note(brand_name='<img src=x onerror="alert(1)">')
    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("community:note", args=[note.pk])).content.decode()
    assert "<img src=x" not in home and "<img src=x" not in page
    assert "&lt;img src=x" in card_html(home, note.pk)


def test_the_api_says_sponsored_and_by_whom_in_feeds_and_search(api):
    note = sponsored_note(brand_name="Glossier", title="面霜 A", topics=["护肤"])
    plain = tagged_note(author=UserFactory(), title="面霜 B", topics=["护肤"])

    lists = {
        "feed": api.get("/api/feed/").json()["results"],
        "topic": api.get("/api/topics/护肤/notes/").json()["results"],
        "search": api.get("/api/search/notes/", {"q": "面霜"}).json()["results"],
    }

    for name, results in lists.items():
        cards = {c["id"]: c for c in results}
        assert cards[note.pk]["sponsored"] is True and cards[note.pk]["sponsor"] == "Glossier", name
        assert cards[plain.pk]["sponsored"] is False and cards[plain.pk]["sponsor"] is None, name
        assert cards[plain.pk]["bought_here"] is False, name


# --- the filter ------------------------------------------------------------------------------------------


def test_hide_sponsored_filters_every_feed_page_and_keeps_the_choice_while_paging(client, monkeypatch):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", 2)
    reader = UserFactory()
    writer = UserFactory()
    follow(reader, writer)
    sponsored = [sponsored_note(writer=writer, topics=["护肤"], hot_score=9 - i) for i in range(2)]
    plain = [FeedNoteFactory(author=writer, topics=["护肤"], hot_score=5 - i) for i in range(3)]
    client.force_login(reader)

    for url in (
        reverse("community:feed_hot"),
        reverse("community:feed_following"),
        reverse("community:topic", args=["护肤"]),
    ):
        shown = client.get(url, {"sponsored": "show"})  # the choice is remembered: start from "shown"
        assert toggle_url(shown).endswith("?sponsored=hide"), url
        assert 'data-hidden="false"' in shown.content.decode()

        first = client.get(url, {"sponsored": "hide"})
        html = first.content.decode()
        assert 'data-hidden="true"' in html and 'aria-current="true"' in html
        # switching back: the same page, from the top
        assert toggle_url(first) == unquote(url) + "?sponsored=show"
        next_url = sentinel_url(first)
        assert "sponsored=hide" in next_url
        rest = client.get(next_url, headers={"HX-Request": "true"})
        seen = card_ids(first) + card_ids(rest)
        assert set(seen) == {n.pk for n in plain}, url
        assert not set(seen) & {n.pk for n in sponsored}


def test_the_switch_keeps_the_other_parameters_and_drops_the_cursor(client, monkeypatch):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", 1)
    FeedNoteFactory.create_batch(2, topics=["护肤"])
    first = client.get(reverse("community:topic", args=["护肤"]), {"sort": "new"})
    cursor_page = client.get(sentinel_url(first))

    url = toggle_url(cursor_page)

    assert "sort=new" in url and "sponsored=hide" in url and "cursor" not in url


def test_feed_tabs_carry_the_choice(client):
    html = client.get(reverse("home"), {"sponsored": "hide"}).content.decode()
    assert f'href="{reverse("community:feed_following")}?sponsored=hide"' in html


def test_hide_sponsored_filters_search_pages_and_keeps_it_in_tabs_sorts_and_paging(client, monkeypatch):
    monkeypatch.setattr(search_selectors, "PAGE_SIZE", 2)
    sponsored = [sponsored_note(title=f"面霜 paid {i}") for i in range(2)]
    plain = [tagged_note(author=UserFactory(), title=f"面霜 plain {i}") for i in range(3)]

    everything = notes_search(query="面霜", page_size=10).items
    assert {n.pk for n in everything} == {n.pk for n in sponsored + plain}
    for sort in ("relevance", "newest", "liked"):
        first = client.get(reverse("community:search"), {"q": "面霜", "sort": sort, "sponsored": "hide"})
        html = first.content.decode()
        assert 'data-testid="sponsored-toggle"' in html and 'data-hidden="true"' in html
        assert re.search(r'href="[^"]*sponsored=hide[^"]*" class="search-tab', html)
        assert re.search(r'href="[^"]*sponsored=hide[^"]*" class="chip', html)
        next_url = sentinel_url(first)
        assert "sponsored=hide" in next_url
        rest = client.get(next_url, headers={"HX-Request": "true"})
        assert sorted(card_ids(first) + card_ids(rest)) == sorted(n.pk for n in plain), sort


def test_the_api_filter_on_feeds_and_search_keeps_it_in_next_links(api):
    writer = UserFactory()
    reader = UserFactory()
    follow(reader, writer)
    sponsored = {sponsored_note(writer=writer, title="面霜 paid", topics=["护肤"]).pk for _ in range(2)}
    plain = {tagged_note(author=writer, title=f"面霜 {i}", topics=["护肤"]).pk for i in range(3)}
    api.force_authenticate(reader)

    for url in ("/api/feed/", "/api/feed/following/", "/api/topics/护肤/notes/", "/api/search/notes/"):
        params = {"sponsored": "hide", "page_size": 2, "q": "面霜"}
        response = api.get(url, params).json()
        ids = [c["id"] for c in response["results"]]
        assert "sponsored=hide" in response["next"], url
        while response["next"]:
            response = api.get(response["next"]).json()
            ids += [c["id"] for c in response["results"]]
        assert set(ids) == plain and not set(ids) & sponsored, url
        everything = api.get(url, {"page_size": 50, "q": "面霜"}).json()["results"]
        assert {c["id"] for c in everything} == plain | sponsored, url


@pytest.mark.parametrize("url", ["/api/feed/", "/api/topics/护肤/notes/", "/api/search/notes/"])
def test_a_bad_filter_value_is_a_400(api, url):
    FeedNoteFactory(topics=["护肤"])
    response = api.get(url, {"sponsored": "maybe", "q": "x"})
    assert response.status_code == 400
    assert "sponsored" in response.json()


def test_any_other_page_value_just_shows_everything(client):
    note = sponsored_note()
    assert note.pk in card_ids(client.get(reverse("home"), {"sponsored": "<script>"}))


# --- query counts: trust chips cost no query of their own ---------------------------------------------------


def _mixed_notes(count: int, reader):
    """Sponsored, verified and plain notes by three writers the reader follows, all with topic 种草."""
    writers = [writer_shopper() for _ in range(3)]
    item, sku = product()
    for who in writers:
        follow(reader, who[0])
        order_delivered(who, sku)
    for i in range(count):
        author = writers[i % 3][0]
        if i % 3 == 0:
            note = sponsored_note(writer=author, topics=["种草"], title=f"种草 {i}")
        else:
            note = tagged_note(author=author, products=[item], topics=["种草"], title=f"种草 {i}")
        if i % 2:
            like(reader, note)


# The same counts as plain feeds (test_feeds_pages.PAGE_QUERIES): anonymous, signed in.
FEED_PAGE_QUERIES = {
    "community:feed_hot": (1, 4),
    "community:feed_following": (0, 4),
    "community:topic": (2, 5),
}


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("url_name", list(FEED_PAGE_QUERIES))
@pytest.mark.parametrize("hide", [False, True])
def test_feed_pages_with_trust_chips_run_a_fixed_number_of_queries(
    client, django_assert_num_queries, monkeypatch, size, url_name, hide
):
    monkeypatch.setattr(feed_selectors, "FEED_PAGE_SIZE", size)
    reader = UserFactory()
    _mixed_notes(3 * size + 3, reader)
    url = reverse(url_name, args=["种草"]) if url_name == "community:topic" else reverse(url_name)
    params = {"sponsored": "hide"} if hide else {}
    anonymous, signed_in = FEED_PAGE_QUERIES[url_name]

    with django_assert_num_queries(anonymous):
        client.get(url, params)
    client.force_login(reader)
    client.get(url, params)  # warm the session cache
    with django_assert_num_queries(signed_in):
        response = client.get(url, params)
    html = response.content.decode()
    assert len(card_ids(response)) == size
    assert 'data-testid="chip-bought-here"' in html
    assert ('data-testid="chip-sponsored"' in html) is not hide


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("hide", [False, True])
def test_feed_api_with_trust_fields_runs_a_fixed_number_of_queries(
    api, django_assert_num_queries, size, hide
):
    reader = UserFactory()
    _mixed_notes(3 * size + 3, reader)
    api.force_authenticate(reader)
    params = {"page_size": size, **({"sponsored": "hide"} if hide else {})}

    with django_assert_num_queries(2):  # the cards, the viewer's likes and collects
        results = api.get("/api/feed/", params).json()["results"]
    assert len(results) == size
    assert any(c["bought_here"] for c in results)
    assert any(c["sponsored"] for c in results) is not hide


@pytest.mark.parametrize("size", [3, 12])
@pytest.mark.parametrize("sort", ["relevance", "newest"])
def test_search_with_trust_chips_runs_a_fixed_number_of_queries(
    client, api, django_assert_num_queries, monkeypatch, size, sort
):
    monkeypatch.setattr(search_selectors, "PAGE_SIZE", size)
    reader = UserFactory()
    _mixed_notes(3 * size + 3, reader)
    relevance_extra = 1 if sort == "relevance" else 0  # the newest id, where the candidate windows start

    # + the products the query names, for the strip above the notes (none here)
    with django_assert_num_queries(2 + relevance_extra):
        response = client.get(reverse("community:search"), {"q": "种草", "sort": sort, "sponsored": "hide"})
    assert len(card_ids(response)) == size
    with django_assert_num_queries(1 + relevance_extra):
        results = api.get("/api/search/notes/", {"q": "种草", "sort": sort, "page_size": size}).json()
    assert len(results["results"]) == size


def test_a_topic_whose_notes_are_all_sponsored_keeps_the_switch_to_show_them_again(client):
    sponsored_note(brand_name="Glossier", title="only paid", topics=["广告"])
    url = reverse("community:topic", args=["广告"])
    hidden = client.get(url, {"sponsored": "hide"}).content.decode()
    # No cards left, but the switch is there to turn the filter off, and the sort links keep the choice.
    assert card_ids(client.get(url, {"sponsored": "hide"})) == []
    assert 'data-testid="sponsored-toggle"' in hidden and 'data-hidden="true"' in hidden
    assert "?sort=new&amp;sponsored=hide" in hidden and "?sort=hot&amp;sponsored=hide" in hidden
    shown = client.get(url, {"sponsored": "show"}).content.decode()
    assert 'data-hidden="false"' in shown and "?sort=new&amp;sponsored=hide" not in shown


def test_the_choice_to_hide_sponsored_notes_is_remembered_until_flipped_back(client):
    sponsored = sponsored_note(brand_name="Glossier", title="paid", topics=["护肤"])
    plain = FeedNoteFactory(topics=["护肤"])
    topic = reverse("community:topic", args=["护肤"])

    client.get(reverse("home"), {"sponsored": "hide"})  # chosen on the feed ...

    later = client.get(topic)  # ... kept on another page, with no parameter
    assert 'data-hidden="true"' in later.content.decode()
    assert sponsored.pk not in card_ids(later) and plain.pk in card_ids(later)
    client.get(topic, {"sponsored": "show"})
    again = client.get(reverse("home"))
    assert 'data-hidden="false"' in again.content.decode() and sponsored.pk in card_ids(again)
