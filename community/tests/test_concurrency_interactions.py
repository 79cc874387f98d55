"""Races against real PostgreSQL: real threads, each on its own connection, released together by a barrier
(``tests.support.concurrency.run_concurrently``). Counters must always equal the rows they count.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.tests.factories import UserFactory
from community.models import Board, Collect, Comment, Follow, Like, Note
from community.services.comments import comment_create, comment_delete
from community.services.interactions import (
    board_delete,
    note_collect,
    note_like,
    note_uncollect,
    note_unlike,
    user_follow,
)
from community.tests.factories import BoardFactory, NoteFactory
from core.errors import DomainError, NotFound
from tests.support.concurrency import run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50


def _refresh(note: Note) -> Note:
    note.refresh_from_db()
    return note


# --- likes -----------------------------------------------------------------------------------------------


def test_50_threads_liking_as_the_same_user_leave_one_like_and_a_count_of_1():
    note = NoteFactory()
    reader = UserFactory()

    results = run_concurrently(lambda i: note_like(user=reader, note=note), range(THREADS))

    assert Like.objects.filter(note=note).count() == 1
    assert _refresh(note).like_count == 1
    assert all(r.active for r in results)


def test_50_users_liking_at_once_leave_50_likes_and_a_count_of_50():
    note = NoteFactory()
    readers = UserFactory.create_batch(THREADS)

    run_concurrently(lambda i: note_like(user=readers[i], note=note), range(THREADS))

    assert Like.objects.filter(note=note).count() == THREADS
    assert _refresh(note).like_count == THREADS


def test_50_concurrent_unlikes_and_relikes_keep_the_count_equal_to_the_rows():
    note = NoteFactory()
    readers = UserFactory.create_batch(THREADS)
    for reader in readers:
        note_like(user=reader, note=note)

    def toggle(i: int):
        # Even threads unlike; odd ones unlike and like again; every third also double-likes.
        note_unlike(user=readers[i], note=note)
        if i % 2:
            note_like(user=readers[i], note=note)
            if i % 3 == 0:
                note_like(user=readers[i], note=note)

    run_concurrently(toggle, range(THREADS))

    rows = Like.objects.filter(note=note).count()
    assert rows == THREADS // 2
    assert _refresh(note).like_count == rows


def test_one_user_toggling_like_from_50_threads_keeps_the_count_equal_to_the_rows():
    note = NoteFactory()
    reader = UserFactory()

    run_concurrently(lambda i: (note_like if i % 2 else note_unlike)(user=reader, note=note), range(THREADS))

    rows = Like.objects.filter(note=note).count()
    assert rows in (0, 1)
    assert _refresh(note).like_count == rows


# --- collects --------------------------------------------------------------------------------------------


def test_50_threads_collecting_as_the_same_user_leave_one_collect_in_one_default_board():
    note = NoteFactory()
    reader = UserFactory()

    run_concurrently(lambda i: note_collect(user=reader, note=note), range(THREADS))

    assert Collect.objects.filter(note=note).count() == 1
    assert _refresh(note).collect_count == 1
    boards = list(Board.objects.filter(owner=reader))
    assert len(boards) == 1 and boards[0].is_default
    assert boards[0].note_count == 1


def test_50_users_collecting_at_once_leave_50_collects_and_a_count_of_50():
    note = NoteFactory()
    readers = UserFactory.create_batch(THREADS)

    run_concurrently(lambda i: note_collect(user=readers[i], note=note), range(THREADS))

    assert Collect.objects.filter(note=note).count() == THREADS
    assert _refresh(note).collect_count == THREADS
    assert Board.objects.filter(owner__in=readers, is_default=True, note_count=1).count() == THREADS


def test_50_concurrent_uncollects_and_recollects_keep_the_counts_equal_to_the_rows():
    note = NoteFactory()
    readers = UserFactory.create_batch(THREADS)
    for reader in readers:
        note_collect(user=reader, note=note)

    def toggle(i: int):
        note_uncollect(user=readers[i], note=note)
        if i % 2:
            note_collect(user=readers[i], note=note)

    run_concurrently(toggle, range(THREADS))

    rows = Collect.objects.filter(note=note).count()
    assert rows == THREADS // 2
    assert _refresh(note).collect_count == rows
    for board in Board.objects.filter(owner__in=readers):
        assert board.note_count == Collect.objects.filter(board=board).count()


def test_one_user_collecting_moving_and_uncollecting_at_once_keeps_board_counts_true():
    note = NoteFactory()
    reader = UserFactory()
    boards = [BoardFactory(owner=reader) for _ in range(3)]

    def act(i: int):
        if i % 5 == 0:
            return note_uncollect(user=reader, note=note)
        return note_collect(user=reader, note=note, board=boards[i % 3])

    run_concurrently(act, range(THREADS))

    rows = Collect.objects.filter(note=note).count()
    assert rows in (0, 1)
    assert _refresh(note).collect_count == rows
    for board in Board.objects.filter(owner=reader):
        assert board.note_count == Collect.objects.filter(board=board).count(), board.name


def test_deleting_a_board_while_notes_are_collected_into_it_loses_no_count():
    reader = UserFactory()
    board = BoardFactory(owner=reader)
    notes = NoteFactory.create_batch(20, images=0)

    def act(i: int):
        if i == len(notes):
            return board_delete(board=board)
        return note_collect(user=reader, note=notes[i], board=board)

    results = run_concurrently(act, range(len(notes) + 1), expected=(NotFound,))

    assert not Board.objects.filter(pk=board.pk).exists()
    refused = sum(isinstance(r, NotFound) for r in results)
    assert Collect.objects.filter(user=reader).count() == len(notes) - refused
    for note in notes:
        note.refresh_from_db()
        assert note.collect_count == Collect.objects.filter(note=note).count()
    default = Board.objects.get(owner=reader, is_default=True)
    assert default.note_count == Collect.objects.filter(board=default).count() == len(notes) - refused


# --- follows ---------------------------------------------------------------------------------------------


def test_50_threads_following_the_same_person_leave_one_follow():
    reader, writer = UserFactory(), UserFactory()

    results = run_concurrently(lambda i: user_follow(follower=reader, followee=writer), range(THREADS))

    assert Follow.objects.filter(follower=reader, followee=writer).count() == 1
    assert all(r.active and r.count == 1 for r in results)


def test_following_yourself_is_refused_by_the_service_and_by_the_database():
    reader = UserFactory()

    with pytest.raises(DomainError):
        user_follow(follower=reader, followee=reader)
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=reader, followee=reader)

    assert not Follow.objects.exists()


# --- comments --------------------------------------------------------------------------------------------


def test_replies_posted_while_their_thread_is_deleted_leave_counts_equal_to_rows():
    writer = UserFactory()
    note = NoteFactory(author=writer)
    thread = comment_create(author=writer, note=note, body="Ask me anything")
    thread = Comment.objects.select_related("note").get(pk=thread.pk)
    readers = UserFactory.create_batch(20)

    def act(i: int):
        if i == len(readers):
            return comment_delete(user=writer, comment=thread)
        return comment_create(author=readers[i], note=note, body=f"reply {i}", reply_to=thread)

    run_concurrently(act, range(len(readers) + 1), expected=(NotFound,))

    assert not Comment.objects.filter(note=note).exists()
    assert _refresh(note).comment_count == 0
