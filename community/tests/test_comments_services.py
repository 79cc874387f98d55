"""Comments in two levels: who a reply hangs under and whom it @s, counters, who may delete."""

from __future__ import annotations

import pytest

from accounts.tests.factories import UserFactory
from community.models import COMMENT_MAX, Comment, Note
from community.services.comments import comment_create, comment_delete
from community.tests.factories import CommentFactory, NoteFactory
from core.errors import DomainError, NotFound

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer():
    return UserFactory(nickname="Writer")


@pytest.fixture
def note(writer):
    return NoteFactory(author=writer, images=0)


def _counts(note: Note) -> tuple[int, int]:
    note.refresh_from_db()
    return note.comment_count, Comment.objects.filter(note=note).count()


def test_a_comment_counts_and_notifies_after_commit(note, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        comment = comment_create(author=UserFactory(), note=note, body="  Where did you buy it?  ")

    assert comment.body == "Where did you buy it?"
    assert comment.parent_id is None and comment.reply_to_id is None
    assert _counts(note) == (1, 1)
    assert len(callbacks) == 1


def test_a_reply_to_a_reply_hangs_under_the_top_level_comment_and_ats_its_author(note, writer):
    asker, answerer = UserFactory(), UserFactory()
    question = comment_create(author=asker, note=note, body="Is it greasy?")
    answer = comment_create(author=writer, note=note, body="Not at all", reply_to=question)

    follow_up = comment_create(author=answerer, note=note, body="Agreed", reply_to=answer)

    assert answer.parent_id == question.pk and answer.reply_to_id is None
    assert follow_up.parent_id == question.pk and follow_up.reply_to_id == writer.pk
    assert Comment.objects.get(pk=question.pk).reply_count == 2
    assert _counts(note) == (3, 3)


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (COMMENT_MAX + 1), "x" * 10_240, "nul\x00byte"])
def test_empty_oversized_or_unstorable_comments_are_refused_and_nothing_is_stored(note, body):
    with pytest.raises(DomainError):
        comment_create(author=UserFactory(), note=note, body=body)

    assert _counts(note) == (0, 0)


def test_replying_to_a_comment_of_another_note_is_a_404(note):
    elsewhere = CommentFactory()

    with pytest.raises(NotFound):
        comment_create(author=UserFactory(), note=note, body="hi", reply_to=elsewhere)

    assert _counts(note) == (0, 0)


def test_replying_to_a_hidden_comment_is_a_404(note):
    hidden = CommentFactory(note=note, status=Comment.Status.HIDDEN)

    with pytest.raises(NotFound):
        comment_create(author=UserFactory(), note=note, body="hi", reply_to=hidden)

    assert Comment.objects.filter(note=note).count() == 1


def test_the_comment_author_deletes_a_comment_with_its_replies(note, writer):
    asker = UserFactory()
    question = comment_create(author=asker, note=note, body="Q")
    comment_create(author=writer, note=note, body="A1", reply_to=question)
    comment_create(author=writer, note=note, body="A2", reply_to=question)
    kept = comment_create(author=writer, note=note, body="Another thread")

    removed = comment_delete(user=asker, comment=Comment.objects.select_related("note").get(pk=question.pk))

    assert removed == 3
    assert list(Comment.objects.filter(note=note)) == [kept]
    assert _counts(note) == (1, 1)


def test_the_note_author_deletes_a_reply_on_their_note(note, writer):
    question = comment_create(author=UserFactory(), note=note, body="Q")
    reply = comment_create(author=UserFactory(), note=note, body="spam", reply_to=question)

    comment_delete(user=writer, comment=Comment.objects.select_related("note").get(pk=reply.pk))

    assert Comment.objects.get(pk=question.pk).reply_count == 0
    assert _counts(note) == (1, 1)


def test_anyone_else_deleting_a_comment_gets_a_404_and_nothing_changes(note):
    comment = comment_create(author=UserFactory(), note=note, body="mine")

    with pytest.raises(NotFound):
        comment_delete(user=UserFactory(), comment=Comment.objects.select_related("note").get(pk=comment.pk))

    assert Comment.objects.filter(pk=comment.pk).exists()
    assert _counts(note) == (1, 1)


def test_deleting_a_comment_twice_removes_it_once(note, writer):
    comment = comment_create(author=UserFactory(), note=note, body="bye")
    loaded = Comment.objects.select_related("note").get(pk=comment.pk)

    assert comment_delete(user=writer, comment=loaded) == 1
    assert comment_delete(user=writer, comment=loaded) == 0
    assert _counts(note) == (0, 0)
