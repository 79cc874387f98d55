"""The community admin: the report queue with its actions, notes and comments hidden and restored through
the services, counters never editable, lists with a fixed number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from community.models import Board, Comment, Note, Report
from community.tests.factories import (
    BoardFactory,
    CommentFactory,
    CommentReportFactory,
    NoteFactory,
    NoteReportFactory,
    TopicFactory,
)
from tests.support.admin import run_action

pytestmark = pytest.mark.django_db
State = Report.State


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


def _action(client, model: str, action: str, ids) -> object:
    return run_action(client, reverse(f"admin:community_{model}_changelist"), action, ids)


def test_the_queue_opens_on_open_reports(operator):
    response = operator.get(reverse("admin:community_report_changelist"))
    assert response.status_code == 302 and response["Location"].endswith("?state__exact=open")


def test_the_queue_shows_what_was_reported_by_whom_and_about_whom(operator):
    writer = UserFactory(username="writer_wu")
    note = NoteFactory(author=writer, title="Fake serum")
    NoteReportFactory(note=note, reason=Report.Reason.FAKE, detail="paid by the brand")
    CommentReportFactory(comment=CommentFactory(body="You are an idiot", author=UserFactory(username="rude")))
    NoteReportFactory(state=State.DISMISSED, note=NoteFactory(title="Old news"))

    html = operator.get(reverse("admin:community_report_changelist") + "?state__exact=open").content.decode()

    assert "Fake serum" in html and "writer_wu" in html and "paid by the brand" in html
    assert "You are an idiot" in html and "rude" in html
    assert "Old news" not in html
    for f in ("state", "reason", "about"):
        assert f"?{f}" in html or f"&amp;{f}" in html or f"{f}__exact" in html


@pytest.mark.parametrize("count", [2, 8])
def test_the_queue_runs_a_fixed_number_of_queries(operator, count, django_assert_num_queries):
    for i in range(count):
        if i % 2:
            NoteReportFactory()
        else:
            CommentReportFactory()
    url = reverse("admin:community_report_changelist") + "?state__exact=open"
    # The user, the filtered count, the total count, the rows with their targets and authors joined, and
    # the unread badge of the site's context processor (which runs on admin pages too).
    with django_assert_num_queries(5):
        response = operator.get(url)
    assert response.status_code == 200


def test_hide_action_hides_the_content_and_settles_every_report_about_it(operator):
    note = NoteFactory()
    reports = NoteReportFactory.create_batch(2, note=note)
    comment_report = CommentReportFactory()

    response = _action(operator, "report", "hide_content", [reports[0].pk, comment_report.pk])

    assert response.status_code == 200
    note.refresh_from_db()
    assert note.status == Note.Status.HIDDEN
    assert Comment.objects.get(pk=comment_report.comment_id).status == Comment.Status.HIDDEN
    assert set(Report.objects.values_list("state", flat=True)) == {State.HIDDEN}
    assert set(Report.objects.values_list("handled_by", flat=True)) == {operator.user.pk}
    assert "Hid the content of 2 reports" in response.content.decode()


def test_restore_and_dismiss_actions(operator):
    note = NoteFactory(status=Note.Status.HIDDEN)
    hidden_report = NoteReportFactory(note=note, state=State.HIDDEN)
    fine = NoteFactory()
    open_reports = NoteReportFactory.create_batch(2, note=fine)

    _action(operator, "report", "restore_content", [hidden_report.pk])
    response = _action(operator, "report", "dismiss", [open_reports[0].pk])

    note.refresh_from_db()
    assert note.status == Note.Status.PUBLISHED
    assert set(Report.objects.filter(note=fine).values_list("state", flat=True)) == {State.DISMISSED}
    assert Note.objects.get(pk=fine.pk).status == Note.Status.PUBLISHED
    assert "Dismissed 2 open reports" in response.content.decode()


def test_reports_are_read_only(operator):
    report = NoteReportFactory()
    assert operator.get(reverse("admin:community_report_add")).status_code == 403
    page = operator.get(reverse("admin:community_report_change", args=[report.pk])).content.decode()
    assert 'name="reason"' not in page and 'name="state"' not in page


def test_note_list_filters_by_status_and_shows_counts(operator):
    NoteFactory(title="Visible one", like_count=12)
    NoteFactory(title="Hidden one", status=Note.Status.HIDDEN)

    html = operator.get(reverse("admin:community_note_changelist") + "?status__exact=hidden").content.decode()

    assert "Hidden one" in html and "Visible one" not in html


@pytest.mark.parametrize("count", [2, 8])
def test_note_list_runs_a_fixed_number_of_queries(operator, count, django_assert_num_queries):
    NoteFactory.create_batch(count)
    with django_assert_num_queries(5):  # the user, two counts, the rows with their authors, the badge
        assert operator.get(reverse("admin:community_note_changelist")).status_code == 200


def test_note_page_shows_images_and_reports_and_edits_no_counter(operator):
    note = NoteFactory(images=2, like_count=5)
    NoteReportFactory(note=note, detail="stolen photos")

    html = operator.get(reverse("admin:community_note_change", args=[note.pk])).content.decode()

    assert html.count("<img src=") >= 2 and "stolen photos" in html
    for field in ("like_count", "collect_count", "comment_count", "view_count", "title", "status"):
        assert f'name="{field}"' not in html
    assert 'name="_save"' not in html

    # Posting a changed counter changes nothing.
    operator.post(reverse("admin:community_note_change", args=[note.pk]), {"like_count": 999, "title": "x"})
    note.refresh_from_db()
    assert (note.like_count, note.title) != (999, "x")
    assert note.like_count == 5


def test_note_actions_hide_and_restore_through_the_services(operator):
    notes = NoteFactory.create_batch(2)
    report = NoteReportFactory(note=notes[0])

    response = _action(operator, "note", "hide", [n.pk for n in notes])
    assert "Hid 2 notes" in response.content.decode()
    assert set(Note.objects.values_list("status", flat=True)) == {Note.Status.HIDDEN}
    report.refresh_from_db()
    assert report.state == State.HIDDEN

    response = _action(operator, "note", "restore", [notes[0].pk])
    assert "Restored 1 note" in response.content.decode()
    assert Note.objects.get(pk=notes[0].pk).status == Note.Status.PUBLISHED


def test_operators_hide_notes_rather_than_delete_them(operator):
    note = NoteFactory()
    assert operator.get(reverse("admin:community_note_delete", args=[note.pk])).status_code == 403
    operator.post(reverse("admin:community_note_delete", args=[note.pk]), {"post": "yes"})
    assert Note.objects.filter(pk=note.pk).exists()


def test_comment_admin_hides_and_restores_and_never_deletes(operator):
    comment = CommentFactory(body="rude words")
    html = operator.get(reverse("admin:community_comment_changelist")).content.decode()
    assert "rude words" in html

    _action(operator, "comment", "hide", [comment.pk])
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HIDDEN
    _action(operator, "comment", "restore", [comment.pk])
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.VISIBLE
    assert operator.get(reverse("admin:community_comment_delete", args=[comment.pk])).status_code == 403


@pytest.mark.parametrize("model", ["topic", "board", "comment"])
def test_counters_are_read_only_everywhere(operator, model):
    obj = {"topic": TopicFactory, "board": BoardFactory, "comment": CommentFactory}[model]()
    html = operator.get(reverse(f"admin:community_{model}_change", args=[obj.pk])).content.decode()
    for field in ("note_count", "like_count", "reply_count"):
        assert f'name="{field}"' not in html
    assert operator.get(reverse(f"admin:community_{model}_add")).status_code == 403


def test_boards_and_topics_are_listed(operator):
    BoardFactory(name="Skincare picks")
    TopicFactory(name="防晒")
    assert "Skincare picks" in operator.get(reverse("admin:community_board_changelist")).content.decode()
    assert "防晒" in operator.get(reverse("admin:community_topic_changelist")).content.decode()
    assert Board.objects.count() == 1


def test_staff_without_permissions_cannot_act(client):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    note = NoteFactory()
    response = _action(client, "note", "hide", [note.pk])
    assert response.status_code == 403
    assert Note.objects.get(pk=note.pk).status == Note.Status.PUBLISHED
