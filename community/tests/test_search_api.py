"""The search API: notes in five sorts, users, topics, suggestions; cursors; the OpenAPI schema."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from community.models import Like, Note
from community.selectors.search.notes import SORT_KEYS
from community.tests.factories import TopicFactory, indexed_note

pytestmark = pytest.mark.django_db


def _follow(api, url, **params) -> list[dict]:
    results = []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        results += response.json()["results"]
        if not response.json()["next"]:
            return results
        response = api.get(response.json()["next"])


@pytest.mark.parametrize("sort", SORT_KEYS)
def test_notes_page_through_every_sort_without_repeats(api, sort):
    ids = {indexed_note(title=f"面霜 {i}", like_count=i % 2, comment_count=i % 3).pk for i in range(7)}
    indexed_note(title="面霜 hidden", status=Note.Status.HIDDEN)

    results = _follow(api, "/api/search/notes/", q="面霜", sort=sort, page_size=2)

    assert [r["id"] for r in results if r["id"] in ids] == [r["id"] for r in results]
    assert len(results) == len({r["id"] for r in results}) == 7


def test_a_note_result_carries_the_card_and_the_viewers_state(api):
    viewer = UserFactory()
    note = indexed_note(title="CeraVe面霜", images=1, like_count=3)
    Like.objects.create(user=viewer, note=note)
    api.force_authenticate(viewer)

    result = api.get("/api/search/notes/", {"q": "cerave"}).json()["results"][0]

    assert result["id"] == note.pk and result["title"] == "CeraVe面霜"
    assert result["author"]["id"] == note.author_id
    assert result["cover"]["width"] == 540 and result["cover"]["url"].startswith("http")
    assert (result["like_count"], result["liked"], result["collected"]) == (3, True, False)


def test_notes_cost_the_same_queries_for_two_page_sizes(api, django_assert_num_queries):
    viewer = UserFactory()
    api.force_authenticate(viewer)
    for i in range(7):
        indexed_note(title=f"防晒 {i}", images=1)
    for size in (2, 6):
        # The newest id (where relevance's candidate windows start), the page, the viewer's likes.
        with django_assert_num_queries(3):
            response = api.get("/api/search/notes/", {"q": "防晒", "page_size": size})
        assert len(response.json()["results"]) == size


def test_users_topics_and_suggestions(api):
    user = UserFactory(username="coco", nickname="Coco爱护肤")
    TopicFactory(name="coco推荐", note_count=2)
    note = indexed_note(title="coco的面霜", author=user)

    users = api.get("/api/search/users/", {"q": "coco"}).json()["results"]
    topics = api.get("/api/search/topics/", {"q": "coco"}).json()["results"]
    suggest = api.get("/api/search/suggest/", {"q": "co"}).json()

    assert [(u["id"], u["note_count"], u["follower_count"]) for u in users] == [(user.pk, 1, 0)]
    assert [t["name"] for t in topics] == ["coco推荐"]
    assert suggest == {
        "topics": [{"id": topics[0]["id"], "name": "coco推荐", "note_count": 2}],
        "notes": [{"id": note.pk, "title": "coco的面霜"}],
    }


@pytest.mark.parametrize("query", ["", "&|!():*", "'", "x" * 10_000, "面霜" * 3000, "<script>"])
@pytest.mark.parametrize("kind", ["notes", "users", "topics", "suggest"])
def test_hostile_and_empty_queries_answer_200(api, query, kind):
    indexed_note(title="面霜")

    response = api.get(f"/api/search/{kind}/", {"q": query})

    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"sort": "bogus"},
        {"page_size": 0},
        {"page_size": 500},
        {"page_size": "x"},
        {"cursor": "nope"},
    ],
)
def test_bad_parameters_are_400_with_a_message(api, params):
    indexed_note(title="面霜")

    response = api.get("/api/search/notes/", {"q": "面霜", **params})

    assert response.status_code == 400
    assert response.json()


def test_the_schema_documents_the_search_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()

    for path in ("/api/search/notes/", "/api/search/users/", "/api/search/topics/", "/api/search/suggest/"):
        assert "get" in schema["paths"][path]
    sort = next(p for p in schema["paths"]["/api/search/notes/"]["get"]["parameters"] if p["name"] == "sort")
    assert set(sort["schema"]["enum"]) == set(SORT_KEYS)
