"""Like, collect, follow and board pages: htmx swaps the button with the server's count, plain forms
redirect back, anonymous visitors go to the login page, other people's things are 404s."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Follow, Like, Note
from community.services.interactions import board_create, note_collect, user_follow
from community.tests.factories import BoardFactory, NoteFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def note():
    return NoteFactory(images=0)


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


def _htmx_from(note: Note) -> dict:
    return {**HTMX, "HTTP_HX_CURRENT_URL": f"http://testserver{reverse('community:note', args=[note.pk])}"}


# --- likes -----------------------------------------------------------------------------------------------


def test_liking_with_htmx_answers_the_filled_heart_with_the_servers_count(client, reader, note):
    response = client.post(reverse("community:note_like", args=[note.pk]), **_htmx_from(note))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-pressed="true"' in html and 'data-testid="like-count">1<' in html
    assert reverse("community:note_unlike", args=[note.pk]) in html
    assert Like.objects.filter(user=reader, note=note).exists()


def test_unliking_with_htmx_answers_the_empty_heart(client, reader, note):
    client.post(reverse("community:note_like", args=[note.pk]), **HTMX)

    response = client.post(reverse("community:note_unlike", args=[note.pk]), **HTMX)

    assert 'aria-pressed="false"' in response.content.decode()
    assert not Like.objects.exists()


def test_liking_without_javascript_redirects_back_and_never_off_site(client, reader, note):
    url = reverse("community:note_like", args=[note.pk])

    back = client.post(url, {"next": "/search/?q=cream"})
    off_site = client.post(url, {"next": "https://evil.example/"})

    assert back.status_code == 302 and back.url == "/search/?q=cream"
    assert off_site.url == reverse("community:note", args=[note.pk])
    assert Note.objects.get(pk=note.pk).like_count == 1


def test_an_anonymous_htmx_like_is_sent_to_the_login_page_and_stores_nothing(client, note):
    response = client.post(reverse("community:note_like", args=[note.pk]), **_htmx_from(note))

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("accounts:login") + "?next=")
    assert reverse("community:note", args=[note.pk]).replace("/", "%2F") in response["HX-Redirect"]
    assert not Like.objects.exists()


def test_an_anonymous_plain_like_is_sent_to_the_login_page(client, note):
    response = client.post(reverse("community:note_like", args=[note.pk]))

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not Like.objects.exists()


def test_liking_is_post_only(client, reader, note):
    assert client.get(reverse("community:note_like", args=[note.pk])).status_code == 405


def test_liking_someone_elses_private_note_is_a_404_and_stores_nothing(client, reader):
    private = NoteFactory(images=0, visibility=Note.Visibility.PRIVATE)

    response = client.post(reverse("community:note_like", args=[private.pk]), **HTMX)

    assert response.status_code == 404
    assert not Like.objects.exists()


# --- collects --------------------------------------------------------------------------------------------


def test_the_board_picker_offers_the_default_board_and_mine_escaped(client, reader, note):
    board_create(owner=reader, name="<b hx-get=/x>bold</b>")
    BoardFactory(name="Somebody else's")

    response = client.get(reverse("community:note_collect", args=[note.pk]), **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Default board" in html
    assert "&lt;b hx-get=/x&gt;bold&lt;/b&gt;" in html and "<b hx-get" not in html
    assert "Somebody else" not in html


def test_opening_the_board_picker_writes_nothing_and_offers_the_default_board_unsaved(client, reader, note):
    for headers in (HTMX, {}):
        response = client.get(reverse("community:note_collect", args=[note.pk]), **headers)

        html = response.content.decode()
        assert response.status_code == 200
        assert "Default board" in html and 'name="board_id"' not in html
    assert not Board.objects.exists()

    client.post(reverse("community:note_collect", args=[note.pk]), **HTMX)  # the default board's choice

    board = Board.objects.get(owner=reader)
    assert board.is_default and Collect.objects.get(user=reader).board == board


def test_the_board_picker_marks_the_board_the_note_is_in(client, reader, note):
    travel = board_create(owner=reader, name="Travel")
    note_collect(user=reader, note=note, board=travel)

    html = client.get(reverse("community:note_collect", args=[note.pk]), **HTMX).content.decode()

    assert html.count("is-current") == 1 and html.count("Here now") == 1
    assert f'name="board_id" value="{travel.pk}"' in html
    assert not Board.objects.filter(owner=reader, is_default=True).exists()


def test_the_board_picker_without_javascript_is_a_page(client, reader, note):
    response = client.get(reverse("community:note_collect", args=[note.pk]))

    assert response.status_code == 200
    assert b"<html" in response.content and b'data-testid="collect-picker"' in response.content


def test_collecting_into_a_new_private_board_answers_the_filled_star_and_closes_the_picker(
    client, reader, note
):
    response = client.post(
        reverse("community:note_collect", args=[note.pk]),
        {"new_board_name": "Skincare to try", "new_board_private": "1"},
        **HTMX,
    )

    html = response.content.decode()
    assert 'aria-pressed="true"' in html and 'data-testid="collect-count">1<' in html
    assert f'id="collect-picker-{note.pk}" hx-swap-oob="true"' in html
    board = Board.objects.get(owner=reader, name="Skincare to try")
    assert board.is_private and board.note_count == 1
    assert Collect.objects.get(user=reader).board == board


def test_a_new_board_with_a_name_i_already_use_shows_the_picker_again_with_the_message(client, reader, note):
    board_create(owner=reader, name="Travel")

    response = client.post(
        reverse("community:note_collect", args=[note.pk]), {"new_board_name": "Travel"}, **HTMX
    )

    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#collect-picker-{note.pk}"
    assert "already have a board" in response.content.decode()
    assert not Collect.objects.exists()
    assert Board.objects.filter(owner=reader, name="Travel").count() == 1


def test_collecting_into_someone_elses_board_is_a_404_and_stores_nothing(client, reader, note):
    theirs = BoardFactory()

    response = client.post(reverse("community:note_collect", args=[note.pk]), {"board_id": theirs.pk}, **HTMX)

    assert response.status_code == 404
    assert not Collect.objects.exists()


def test_collecting_without_javascript_redirects_back_with_a_message(client, reader, note):
    response = client.post(reverse("community:note_collect", args=[note.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("community:note", args=[note.pk])
    assert Collect.objects.get(user=reader).board.is_default


def test_uncollecting_with_htmx_answers_the_empty_star(client, reader, note):
    note_collect(user=reader, note=note)

    response = client.post(reverse("community:note_uncollect", args=[note.pk]), **HTMX)

    assert 'aria-pressed="false"' in response.content.decode()
    assert not Collect.objects.exists()


# --- follows ---------------------------------------------------------------------------------------------


def test_following_and_unfollowing_with_htmx_swap_the_button(client, reader):
    writer = UserFactory()

    followed = client.post(reverse("community:user_follow", args=[writer.pk]), **HTMX)
    assert "Following" in followed.content.decode()
    assert reverse("community:user_unfollow", args=[writer.pk]) in followed.content.decode()
    assert Follow.objects.filter(follower=reader, followee=writer).exists()

    unfollowed = client.post(reverse("community:user_unfollow", args=[writer.pk]), **HTMX)
    assert reverse("community:user_follow", args=[writer.pk]) in unfollowed.content.decode()
    assert not Follow.objects.exists()


def test_following_yourself_is_a_400_and_stores_nothing(client, reader):
    response = client.post(reverse("community:user_follow", args=[reader.pk]), **HTMX)

    assert response.status_code == 400
    assert not Follow.objects.exists()


def test_the_follow_button_is_not_shown_for_yourself(rf, reader):
    from django.template.loader import get_template

    request = rf.get("/")
    request.user = reader
    template = get_template("community/partials/follow_button.html")

    assert "<form" not in template.render({"profile_user": reader, "is_following": False, "user": reader})
    user_follow(follower=reader, followee=(writer := UserFactory()))
    html = template.render({"profile_user": writer, "is_following": True, "user": reader, "request": request})
    assert "Following" in html


# --- boards ----------------------------------------------------------------------------------------------


def test_making_editing_and_deleting_a_board(client, reader, note):
    client.post(reverse("community:board_new"), {"name": "Trips"})
    board = Board.objects.get(owner=reader, name="Trips")
    note_collect(user=reader, note=note, board=board)

    edited = client.post(
        reverse("community:board_edit", args=[board.pk]), {"name": "Trips 2026", "is_private": "on"}
    )
    deleted = client.post(reverse("community:board_delete", args=[board.pk]))

    assert edited.status_code == 302 and deleted.status_code == 302
    assert not Board.objects.filter(pk=board.pk).exists()
    assert Collect.objects.get(user=reader).board.is_default


def test_a_board_form_error_is_shown_next_to_the_form(client, reader):
    response = client.post(reverse("community:board_new"), {"name": "x" * 31})

    assert response.status_code == 400
    assert b"1 to 30 characters" in response.content
    assert not Board.objects.filter(owner=reader).exists()


def test_someone_elses_board_cannot_be_edited_or_deleted(client, reader):
    theirs = BoardFactory(name="Theirs")

    assert client.get(reverse("community:board_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("community:board_edit", args=[theirs.pk]), {"name": "Mine"}).status_code == 404
    assert client.post(reverse("community:board_delete", args=[theirs.pk])).status_code == 404
    assert Board.objects.get(pk=theirs.pk).name == "Theirs"
