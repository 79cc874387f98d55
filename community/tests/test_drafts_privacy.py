"""A draft is seen by its writer only: not on any page, API, search, feed, topic, profile, product page or
count for anybody else, even when it carries everything that would put a published note there (a
topic, a search vector, a hot score, a tagged product, a follower). A published twin with the same
words, topic and product shows in each place, so every check below can fail."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Note, NoteProduct, Topic
from community.selectors.me import me_notes
from community.services.feeds import note_hot_scores_update
from community.services.search import note_search_index
from community.tests.factories import follow
from community.tests.support.links import product, tagged_note

pytestmark = pytest.mark.django_db

TOPIC = "zqxvtopic"
DRAFT_TITLE = "Draftonly zqxv"
TWIN_TITLE = "Twinpublic zqxv"


@pytest.fixture
def world():
    writer = UserFactory(username="zqxvwriter", nickname="Zqxv writer")
    prod, _skus = product("Zqxv serum")
    topic = Topic.objects.create(name=TOPIC, note_count=1)
    notes = {}
    for key, title, status in (
        ("twin", TWIN_TITLE, Note.Status.PUBLISHED),
        ("draft", DRAFT_TITLE, Note.Status.DRAFT),
    ):
        note = tagged_note(products=[prod], author=writer, title=title, body=f"zqxv #{TOPIC}", status=status)
        note.topics.set([topic])
        note_search_index(note_id=note.pk)
        notes[key] = note
    # The worst case: the draft has the higher score and the more likes, so it would lead every list.
    Note.objects.filter(pk=notes["draft"].pk).update(like_count=500, collect_count=90)
    note_hot_scores_update()
    stranger = UserFactory()
    follow(stranger, writer)
    return {"writer": writer, "product": prod, "stranger": stranger, **notes}


def _pages(w) -> list[tuple[str, dict]]:
    return [
        ("/", {}),
        (reverse("community:feed_following"), {}),
        (reverse("community:topic", args=[TOPIC]), {}),
        (reverse("community:search"), {"q": "zqxv"}),
        (reverse("community:search_suggest"), {"q": "zqxv"}),
        (reverse("community:profile", args=[w["writer"].pk]), {}),
        (reverse("community:product_notes_fragment", args=[w["product"].pk]), {}),
        (reverse("community:product_notes", args=[w["product"].pk]), {}),
        (reverse("api-feed"), {}),
        (reverse("api-feed-following"), {}),
        (reverse("api-topic-notes", args=[TOPIC]), {}),
        (reverse("api-notes"), {}),
        (reverse("api-notes"), {"author": w["writer"].pk}),
        (reverse("api-profile-notes", args=[w["writer"].pk]), {}),
        (reverse("api-search-notes"), {"q": "zqxv"}),
        (reverse("api-search-suggest"), {"q": "zqxv"}),
        (reverse("api-product-notes", args=[w["product"].pk]), {}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
def test_a_draft_appears_nowhere_for_anybody_else(client, world, who):
    if who == "stranger":
        client.force_login(world["stranger"])
    anonymous_only = {reverse("community:feed_following"), reverse("api-feed-following")}
    for url, params in _pages(world):
        response = client.get(url, params)
        content = response.content.decode()
        if who == "anonymous" and url in anonymous_only:  # a prompt to sign in, or a refusal
            assert "Draftonly" not in content, url
            continue
        assert response.status_code == 200, (url, response.status_code)
        if "suggest" not in url:  # suggestions list words and topics, not note titles
            assert "Twinpublic" in content, (
                f"{url}: the published twin is missing, so the check proves nothing"
            )
        assert "Draftonly" not in content, f"{url} shows the draft to {who}"
        assert f"/notes/{world['draft'].pk}/" not in content, f"{url} links the draft for {who}"
    # the draft itself answers as if it did not exist
    assert client.get(reverse("community:note", args=[world["draft"].pk])).status_code == 404
    assert client.get(reverse("api-note", args=[world["draft"].pk])).status_code == 404
    assert client.get(reverse("api-notes"), {"drafts": "1"}).json().get("results", []) == []


def test_a_draft_counts_nowhere(client, world):
    # then the writer's public numbers are the twin's alone (500 likes of the draft are not received)
    profile = client.get(reverse("api-profile", args=[world["writer"].pk])).json()
    assert "Draftonly" not in str(profile)
    twin = world["twin"]
    assert profile["likes_and_collects_count"] == twin.like_count + twin.collect_count
    people = client.get(reverse("api-search-users"), {"q": "zqxvwriter"}).json()
    assert [u.get("note_count") for u in people["results"]] == [1]
    # and the writer's own statistics list the twin only
    client.force_login(world["writer"])
    stats = client.get(reverse("api-creator-stats")).content.decode()
    assert "Twinpublic" in stats
    assert "Draftonly" not in stats


def test_the_writer_finds_the_draft_under_me_and_on_no_list(client, world):
    writer = world["writer"]
    client.force_login(writer)
    # on the writer's own profile only the published note shows
    own_profile = client.get(reverse("community:profile", args=[writer.pk])).content.decode()
    assert "Twinpublic" in own_profile
    assert "Draftonly" not in own_profile
    # "Me" lists the draft, linking to where it is finished
    me = client.get(reverse("accounts:me")).content.decode()
    assert "Draftonly" in me
    assert reverse("community:note_edit", args=[world["draft"].pk]) in me
    assert [n.pk for n in me_notes(user=writer).drafts] == [world["draft"].pk]
    assert me_notes(user=writer).note_count == 1
    # and the API has them apart
    drafts = client.get(reverse("api-notes"), {"drafts": "1"}).json()["results"]
    assert [n["id"] for n in drafts] == [world["draft"].pk]
    # the writer may open it (a preview with "Publish")
    page = client.get(reverse("community:note", args=[world["draft"].pk])).content.decode()
    assert 'data-testid="draft-publish"' in page


def test_a_stranger_cannot_publish_or_edit_anothers_draft(client, world):
    client.force_login(world["stranger"])
    draft = world["draft"]
    assert client.post(reverse("community:note_publish", args=[draft.pk])).status_code == 404
    assert client.post(reverse("api-note-publish", args=[draft.pk])).status_code == 404
    assert client.get(reverse("community:note_edit", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Note.Status.DRAFT
    assert NoteProduct.objects.filter(note=draft).count() == 1
