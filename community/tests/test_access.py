"""The access helpers (community/selectors/access.py): one rule per row, the same for pages and the API.

A comment is reachable when the viewer sees it (visible, or their own hidden by moderation) and may open
its note (public and published, or their own). Anything else is a 404, as if it did not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Comment, Note, NoteProduct, Report
from community.selectors.access import access_comment, access_note_product
from community.tests.factories import CommentFactory, NoteFactory
from core.errors import NotFound
from mall.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stranger():
    return UserFactory()


def _unreachable_comments() -> dict[str, Comment]:
    return {
        "hidden comment": CommentFactory(status=Comment.Status.HIDDEN),
        "private note": CommentFactory(note=NoteFactory(visibility=Note.Visibility.PRIVATE)),
        "note under review": CommentFactory(note=NoteFactory(status=Note.Status.UNDER_REVIEW)),
        "hidden note": CommentFactory(note=NoteFactory(status=Note.Status.HIDDEN)),
    }


@pytest.mark.parametrize("viewer", ["stranger", "anonymous"])
def test_a_stranger_never_reaches_a_hidden_comment_or_one_on_a_note_they_cannot_open(viewer, stranger):
    user = stranger if viewer == "stranger" else AnonymousUser()
    for case, comment in _unreachable_comments().items():
        with pytest.raises(NotFound):
            access_comment(user=user, comment_id=comment.pk)
            pytest.fail(f"{case}: reached")


def test_a_visible_comment_on_a_public_note_is_reachable_by_anyone(stranger):
    comment = CommentFactory()

    assert access_comment(user=stranger, comment_id=comment.pk) == comment
    assert access_comment(user=AnonymousUser(), comment_id=str(comment.pk)) == comment


def test_the_author_reaches_their_own_hidden_comment_and_the_writer_the_comments_on_a_private_note():
    hidden = CommentFactory(status=Comment.Status.HIDDEN)
    private_note = NoteFactory(visibility=Note.Visibility.PRIVATE)
    on_private = CommentFactory(note=private_note, author=private_note.author)

    assert access_comment(user=hidden.author, comment_id=hidden.pk) == hidden
    assert access_comment(user=private_note.author, comment_id=on_private.pk) == on_private


def test_the_author_of_a_hidden_comment_still_loses_it_with_its_note():
    """Their own comment does not open a note that is not theirs to open."""
    comment = CommentFactory(status=Comment.Status.HIDDEN, note=NoteFactory(status=Note.Status.HIDDEN))

    with pytest.raises(NotFound):
        access_comment(user=comment.author, comment_id=comment.pk)


@pytest.mark.parametrize("bad_id", ["abc", None, ""])
def test_a_malformed_comment_id_is_a_404(bad_id, stranger):
    with pytest.raises(NotFound):
        access_comment(user=stranger, comment_id=bad_id)


def test_pages_and_api_answer_404_for_every_unreachable_comment(client, stranger):
    client.force_login(stranger)
    for case, comment in _unreachable_comments().items():
        for url, data in (
            (reverse("community:comment_like", args=[comment.pk]), {}),
            (reverse("community:comment_replies", args=[comment.pk]), None),
            (reverse("community:comment_delete", args=[comment.pk]), {}),
            (reverse("community:report_comment", args=[comment.pk]), {"reason": "spam"}),
            (reverse("api-comment-replies", args=[comment.pk]), None),
            (reverse("api-reports"), {"comment": comment.pk, "reason": "spam"}),
        ):
            response = client.get(url) if data is None else client.post(url, data)
            assert response.status_code == 404, f"{case}: {url} answered {response.status_code}"
        assert Comment.objects.filter(pk=comment.pk, like_count=0).exists(), case
    assert not Report.objects.exists()


def test_the_author_deletes_their_own_comment_while_it_is_under_review(client):
    comment = CommentFactory(status=Comment.Status.HIDDEN)
    client.force_login(comment.author)

    response = client.post(reverse("community:comment_delete", args=[comment.pk]))

    assert response.status_code == 302
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_a_product_card_is_reachable_only_through_a_note_the_viewer_may_open(stranger):
    shown = NoteProduct.objects.create(note=NoteFactory(), product=ProductFactory())
    private = NoteProduct.objects.create(
        note=NoteFactory(visibility=Note.Visibility.PRIVATE), product=ProductFactory()
    )

    assert access_note_product(user=stranger, note_id=shown.note_id, product_id=shown.product_id) == shown
    with pytest.raises(NotFound):
        access_note_product(user=stranger, note_id=private.note_id, product_id=private.product_id)
    with pytest.raises(NotFound):
        access_note_product(user=stranger, note_id=shown.note_id, product_id=private.product_id)
