"""Likes, collects into boards, follows and comment likes: idempotent toggles, counters equal to rows,
notifications sent only after a real change commits."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Comment, CommentLike, Follow, Like, Note
from community.services import interactions as svc
from community.tests.factories import BoardFactory, CommentFactory, NoteFactory
from core.errors import Conflict, DomainError, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def note():
    return NoteFactory(images=0)


@pytest.fixture
def reader():
    return UserFactory()


def _sent(callbacks) -> int:
    return len(callbacks)


# --- likes -----------------------------------------------------------------------------------------------


def test_liking_twice_is_one_like_and_one_notification(note, reader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        first = svc.note_like(user=reader, note=note)
        second = svc.note_like(user=reader, note=note)

    assert first == second == svc.Toggle(True, 1)
    assert Like.objects.filter(note=note).count() == 1
    assert _sent(callbacks) == 1


def test_unliking_removes_the_like_and_unliking_again_changes_nothing(note, reader):
    svc.note_like(user=reader, note=note)

    assert svc.note_unlike(user=reader, note=note) == svc.Toggle(False, 0)
    assert svc.note_unlike(user=reader, note=note) == svc.Toggle(False, 0)
    assert not Like.objects.exists()


def test_liking_a_note_deleted_meanwhile_is_a_404_and_stores_nothing(note, reader):
    Note.objects.filter(pk=note.pk).delete()

    with pytest.raises(NotFound):
        svc.note_like(user=reader, note=note)

    assert not Like.objects.exists()


# --- boards ----------------------------------------------------------------------------------------------


def test_the_default_board_is_made_once(reader):
    first = svc.board_default(user=reader)

    assert svc.board_default(user=reader) == first
    assert first.is_default
    assert Board.objects.filter(owner=reader).count() == 1


def test_the_default_board_takes_another_name_when_the_user_already_has_a_board_called_default(reader):
    BoardFactory(owner=reader, name=svc.DEFAULT_BOARD_NAME)

    default = svc.board_default(user=reader)

    assert default.is_default and default.name == f"{svc.DEFAULT_BOARD_NAME} 2"


def test_a_board_name_is_unique_per_owner(reader):
    svc.board_create(owner=reader, name="Skincare")

    with pytest.raises(Conflict):
        svc.board_create(owner=reader, name=" Skincare ")

    assert svc.board_create(owner=UserFactory(), name="Skincare").name == "Skincare"
    assert Board.objects.filter(owner=reader).count() == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 31, "bad\x00name"])
def test_a_board_name_must_be_1_to_30_printable_characters(reader, name):
    with pytest.raises(DomainError):
        svc.board_create(owner=reader, name=name)

    assert not Board.objects.exists()


def test_renaming_a_board_onto_another_name_of_mine_is_refused_and_changes_nothing(reader):
    skincare = svc.board_create(owner=reader, name="Skincare")
    svc.board_create(owner=reader, name="Travel")

    with pytest.raises(Conflict):
        svc.board_update(board=skincare, name="Travel", is_private=True)

    skincare.refresh_from_db()
    assert (skincare.name, skincare.is_private) == ("Skincare", False)


def test_deleting_a_board_moves_its_notes_to_the_default_board(reader):
    board = svc.board_create(owner=reader, name="Travel")
    notes = NoteFactory.create_batch(3, images=0)
    for n in notes:
        svc.note_collect(user=reader, note=n, board=board)

    svc.board_delete(board=board)

    default = Board.objects.get(owner=reader, is_default=True)
    assert default.note_count == 3
    assert set(Collect.objects.filter(user=reader).values_list("board_id", flat=True)) == {default.pk}
    assert [Note.objects.get(pk=n.pk).collect_count for n in notes] == [1, 1, 1]


def test_the_default_board_cannot_be_deleted(reader, note):
    svc.note_collect(user=reader, note=note)
    default = svc.board_default(user=reader)

    with pytest.raises(DomainError):
        svc.board_delete(board=default)

    assert Collect.objects.filter(board=default).count() == 1


# --- collects --------------------------------------------------------------------------------------------


def test_collecting_without_a_board_uses_the_default_board(note, reader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert svc.note_collect(user=reader, note=note) == svc.Toggle(True, 1)
        assert svc.note_collect(user=reader, note=note) == svc.Toggle(True, 1)

    collect = Collect.objects.get()
    assert collect.board.is_default and collect.board.note_count == 1
    assert _sent(callbacks) == 1


def test_collecting_again_into_another_board_moves_it(note, reader):
    travel = svc.board_create(owner=reader, name="Travel")
    svc.note_collect(user=reader, note=note)

    assert svc.note_collect(user=reader, note=note, board=travel) == svc.Toggle(True, 1)

    assert Collect.objects.get().board == travel
    assert Board.objects.get(pk=travel.pk).note_count == 1
    assert Board.objects.get(owner=reader, is_default=True).note_count == 0


def test_collecting_into_someone_elses_board_is_a_404_and_stores_nothing(note, reader):
    theirs = BoardFactory()

    with pytest.raises(NotFound):
        svc.note_collect(user=reader, note=note, board=theirs)

    assert not Collect.objects.exists()
    assert Board.objects.get(pk=theirs.pk).note_count == 0


def test_uncollecting_takes_it_out_of_its_board(note, reader):
    travel = svc.board_create(owner=reader, name="Travel")
    svc.note_collect(user=reader, note=note, board=travel)

    assert svc.note_uncollect(user=reader, note=note) == svc.Toggle(False, 0)
    assert svc.note_uncollect(user=reader, note=note) == svc.Toggle(False, 0)

    assert not Collect.objects.exists()
    assert Board.objects.get(pk=travel.pk).note_count == 0


def test_collecting_into_a_new_board_makes_it_and_collects_there(
    note, reader, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        board, toggle = svc.note_collect_into_new_board(
            user=reader, note=note, board_name=" Skincare ", is_private=True
        )

    assert toggle == svc.Toggle(True, 1)
    assert (board.name, board.is_private, board.note_count) == ("Skincare", True, 1)
    assert Collect.objects.get().board == board
    assert not Board.objects.filter(owner=reader, is_default=True).exists()
    assert _sent(callbacks) == 1


def test_collecting_into_a_new_board_moves_a_note_collected_elsewhere(note, reader):
    svc.note_collect(user=reader, note=note)

    board, toggle = svc.note_collect_into_new_board(user=reader, note=note, board_name="Travel")

    assert toggle == svc.Toggle(True, 1)
    assert Collect.objects.get().board == board
    assert Board.objects.get(pk=board.pk).note_count == 1
    assert Board.objects.get(owner=reader, is_default=True).note_count == 0


@pytest.mark.parametrize("name", ["", "x" * (svc.BOARD_NAME_MAX + 1), "Travel"])
def test_a_refused_new_board_name_leaves_no_board_and_no_collect(note, reader, name):
    svc.board_create(owner=reader, name="Travel")

    with pytest.raises(DomainError):
        svc.note_collect_into_new_board(user=reader, note=note, board_name=name)

    assert list(Board.objects.filter(owner=reader).values_list("name", flat=True)) == ["Travel"]
    assert not Collect.objects.exists()
    assert Note.objects.get(pk=note.pk).collect_count == 0


def test_collecting_into_a_new_board_a_note_deleted_meanwhile_leaves_no_board(
    note, reader, django_capture_on_commit_callbacks
):
    Note.objects.filter(pk=note.pk).delete()

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(NotFound):
        svc.note_collect_into_new_board(user=reader, note=note, board_name="Travel")

    assert not Board.objects.filter(owner=reader).exists()
    assert not Collect.objects.exists()
    assert _sent(callbacks) == 0


# --- follows ---------------------------------------------------------------------------------------------


def test_following_twice_is_one_follow_and_one_notification(reader, django_capture_on_commit_callbacks):
    writer = UserFactory()

    with django_capture_on_commit_callbacks() as callbacks:
        assert svc.user_follow(follower=reader, followee=writer) == svc.Toggle(True, 1)
        assert svc.user_follow(follower=reader, followee=writer) == svc.Toggle(True, 1)

    assert Follow.objects.count() == 1
    assert _sent(callbacks) == 1


def test_unfollowing_is_idempotent(reader):
    writer = UserFactory()
    svc.user_follow(follower=reader, followee=writer)

    assert svc.user_unfollow(follower=reader, followee=writer) == svc.Toggle(False, 0)
    assert svc.user_unfollow(follower=reader, followee=writer) == svc.Toggle(False, 0)
    assert not Follow.objects.exists()


def test_following_yourself_is_refused_and_stores_nothing(reader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(DomainError):
        svc.user_follow(follower=reader, followee=reader)

    assert not Follow.objects.exists()
    assert _sent(callbacks) == 0


# --- comment likes ---------------------------------------------------------------------------------------


def test_liking_a_comment_twice_counts_once(reader):
    comment = CommentFactory()

    assert svc.comment_like(user=reader, comment=comment) == svc.Toggle(True, 1)
    assert svc.comment_like(user=reader, comment=comment) == svc.Toggle(True, 1)
    assert svc.comment_unlike(user=reader, comment=comment) == svc.Toggle(False, 0)
    assert svc.comment_unlike(user=reader, comment=comment) == svc.Toggle(False, 0)
    assert not CommentLike.objects.exists()


def test_liking_a_reply_whose_thread_is_gone_is_a_404(reader):
    thread = CommentFactory()
    reply = CommentFactory(note=thread.note, parent=thread)
    Comment.objects.filter(pk=thread.pk).delete()

    with pytest.raises(NotFound):
        svc.comment_like(user=reader, comment=reply)

    assert not CommentLike.objects.exists()
