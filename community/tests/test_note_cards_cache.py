"""Note cards come from a per-process cache keyed by what they show (community/cards.py): the markup
is the same as a fresh render, changes as soon as the note, its counters, its author or the language
change, carries each reader's own likes, and never shows a note to someone its query did not give it to."""

from __future__ import annotations

import re

import pytest
from django.template.loader import get_template
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from community import cards
from community.models import Note
from community.selectors.notes import ViewerState, note_public_qs
from community.tests.factories import FeedNoteFactory, like
from community.tests.support.trust import order_delivered, product, tagged_note, writer_shopper

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def card_of(html: str, note_id: int) -> str:
    found = re.search(rf'<article class="note-card"[^>]*data-note-id="{note_id}".*?</article>', html, re.S)
    assert found, f"no card for note {note_id}"
    return found.group(0)


def home_card(client, note_id: int, **headers) -> str:
    return card_of(client.get(reverse("community:feed_hot"), **headers).content.decode(), note_id)


@pytest.fixture(autouse=True)
def empty_cache():
    cards.cards_clear()
    yield
    cards.cards_clear()


def test_a_cached_card_is_the_markup_a_fresh_render_gives_liked_or_not():
    note = FeedNoteFactory(title="Fresh")
    loaded = note_public_qs().get(pk=note.pk)
    for state in (ViewerState(), ViewerState(liked={note.pk})):
        template = get_template("community/partials/note_card.html")
        fresh = template.render({"note": loaded, "likes_slot": cards.LIKES_SLOT})
        chip = get_template("community/partials/note_card_likes.html").render(
            {"liked": note.pk in state.liked, "count": loaded.like_count}
        )
        expected = fresh.replace(cards.LIKES_SLOT, chip)

        assert cards.card_html(loaded, state) == expected  # first: rendered
        assert cards.card_html(loaded, state) == expected  # then: from the cache
    assert len(cards._cards) == 1  # one shared card for both readers


def test_the_card_changes_with_the_like_count_title_author_and_sponsor_state(client):
    writer = UserFactory(nickname="Before")
    note = FeedNoteFactory(author=writer, title="Old title")
    assert "Old title" in home_card(client, note.pk)

    Note.objects.filter(pk=note.pk).update(like_count=1234, title="New title")
    User.objects.filter(pk=writer.pk).update(nickname="After")
    card = home_card(client, note.pk)

    assert "New title" in card and "Old title" not in card
    assert "1.2k" in card
    assert "After" in card and "Before" not in card


def test_bought_here_shows_as_soon_as_the_order_is_delivered(client):
    shopper = writer_shopper()
    writer = shopper[0]
    item, sku = product("Cream")
    note = tagged_note(author=writer, products=[item])
    assert 'data-testid="chip-bought-here"' not in home_card(client, note.pk)

    order_delivered(shopper, sku)

    assert 'data-testid="chip-bought-here"' in home_card(client, note.pk)


def test_the_card_is_cached_per_language(client):
    note = FeedNoteFactory(cover=False)
    Note.objects.filter(pk=note.pk).update(like_count=12345)

    english = home_card(client, note.pk)
    chinese = home_card(client, note.pk, **ZH)

    assert "Photo on its way" in english and "12.3k" in english
    assert "Photo on its way" not in chinese and "1.2万" in chinese
    assert home_card(client, note.pk) == english  # English again: not the Chinese card


def test_each_reader_sees_their_own_like_on_the_shared_card(client):
    note = FeedNoteFactory()
    fan, other = UserFactory(), UserFactory()
    like(fan, note)
    Note.objects.filter(pk=note.pk).update(like_count=1)

    client.force_login(fan)
    assert "is-liked" in home_card(client, note.pk)
    client.force_login(other)
    assert "is-liked" not in home_card(client, note.pk)
    client.logout()
    assert "is-liked" not in home_card(client, note.pk)


@pytest.mark.parametrize("change", [{"visibility": Note.Visibility.PRIVATE}, {"status": Note.Status.DRAFT}])
def test_a_note_made_private_or_a_draft_leaves_every_feed_though_its_card_was_cached(client, change):
    writer = UserFactory()
    note = FeedNoteFactory(author=writer, title="Soon secret")
    assert "Soon secret" in home_card(client, note.pk)

    Note.objects.filter(pk=note.pk).update(**change)

    for path in (reverse("community:feed_hot"), reverse("community:profile", args=[writer.pk])):
        html = client.get(path).content.decode()
        assert f'data-note-id="{note.pk}"' not in html and "Soon secret" not in html
    client.force_login(writer)
    profile = client.get(reverse("community:profile", args=[writer.pk])).content.decode()
    if change["visibility" if "visibility" in change else "status"] == Note.Visibility.PRIVATE:
        assert 'data-testid="note-label"' in card_of(profile, note.pk)  # the owner's card says "Only me"
    else:
        assert f'data-note-id="{note.pk}"' not in profile  # drafts are in no list, not even the writer's


def test_the_cache_keeps_at_most_its_size(monkeypatch):
    monkeypatch.setattr(cards._cards, "size", 2)
    notes = [note_public_qs().get(pk=FeedNoteFactory().pk) for _ in range(3)]
    for note in notes:
        cards.card_html(note, ViewerState())
    assert len(cards._cards) == 2
