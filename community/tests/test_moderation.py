"""Moderation: reporting (idempotent while open), hiding and restoring notes and comments, dismissing;
the report form as a page and through htmx; the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from community.models import Comment, Note, Report
from community.selectors.access import access_note_for_view
from community.selectors.notes import note_public_qs
from community.services import moderation
from community.tests.factories import CommentFactory, CommentReportFactory, NoteFactory, NoteReportFactory
from core.errors import DomainError, NotFound
from tests.support.concurrency import run_concurrently

Reason, State = Report.Reason, Report.State


# --- services -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reporting_a_note_twice_while_open_keeps_one_report():
    reader, note = UserFactory(), NoteFactory()

    first = moderation.report_create(
        reporter=reader, note=note, reason=Reason.SPAM, detail=" links to a shop "
    )
    again = moderation.report_create(reporter=reader, note=note, reason=Reason.FAKE)

    assert first.created and not again.created
    assert again.report.pk == first.report.pk
    report = Report.objects.get()
    assert (report.reason, report.detail, report.state) == (Reason.SPAM, "links to a shop", State.OPEN)


@pytest.mark.django_db
def test_after_a_decision_the_same_person_may_report_again():
    reader, note = UserFactory(), NoteFactory()
    first = moderation.report_create(reporter=reader, note=note, reason=Reason.SPAM).report
    moderation.report_dismiss(report=first, operator=UserFactory(is_staff=True))

    second = moderation.report_create(reporter=reader, note=note, reason=Reason.SPAM)

    assert second.created and Report.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_reports_leave_one():
    reader, note = UserFactory(), NoteFactory()
    results = run_concurrently(
        lambda _i: moderation.report_create(reporter=reader, note=note, reason=Reason.SPAM), range(8)
    )

    assert Report.objects.count() == 1
    assert sum(r.created for r in results) == 1
    assert {r.report.pk for r in results} == {Report.objects.get().pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reason": "boring"}, "Choose a reason"),
        ({"reason": Reason.OTHER, "detail": "x" * 301}, "under 300"),
    ],
)
def test_bad_reports_are_refused_and_nothing_is_stored(kwargs, message):
    with pytest.raises(DomainError, match=message):
        moderation.report_create(reporter=UserFactory(), note=NoteFactory(), **kwargs)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_nobody_reports_their_own_posts():
    writer = UserFactory()
    note = NoteFactory(author=writer)
    comment = CommentFactory(author=writer)
    with pytest.raises(DomainError, match="your own"):
        moderation.report_create(reporter=writer, note=note, reason=Reason.SPAM)
    with pytest.raises(DomainError, match="your own"):
        moderation.report_create(reporter=writer, comment=comment, reason=Reason.SPAM)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_report_names_one_thing():
    with pytest.raises(DomainError):
        moderation.report_create(reporter=UserFactory(), reason=Reason.SPAM)
    with pytest.raises(DomainError):
        moderation.report_create(
            reporter=UserFactory(), note=NoteFactory(), comment=CommentFactory(), reason=Reason.SPAM
        )


@pytest.mark.django_db
def test_hiding_a_note_removes_it_for_everyone_but_its_author_and_settles_its_reports():
    writer, operator = UserFactory(), UserFactory(is_staff=True)
    note = NoteFactory(author=writer)
    reports = NoteReportFactory.create_batch(3, note=note)
    other = NoteReportFactory()  # about something else

    assert moderation.report_hide_content(report=reports[0], operator=operator) is True

    note.refresh_from_db()
    assert note.status == Note.Status.HIDDEN
    assert not note_public_qs().filter(pk=note.pk).exists()
    assert access_note_for_view(user=writer, note_id=note.pk).status == Note.Status.HIDDEN
    with pytest.raises(NotFound):
        access_note_for_view(user=UserFactory(), note_id=note.pk)
    for report in reports:
        report.refresh_from_db()
        assert (report.state, report.handled_by_id) == (State.HIDDEN, operator.pk)
        assert report.handled_at is not None
    other.refresh_from_db()
    assert other.state == State.OPEN
    # Twice is a no-op.
    assert moderation.report_hide_content(report=reports[1], operator=operator) is False


@pytest.mark.django_db
def test_restoring_publishes_the_note_again():
    operator = UserFactory(is_staff=True)
    note = NoteFactory(status=Note.Status.HIDDEN)
    report = NoteReportFactory(note=note)

    assert moderation.report_restore_content(report=report, operator=operator) is True

    note.refresh_from_db()
    report.refresh_from_db()
    assert note.status == Note.Status.PUBLISHED
    assert note_public_qs().filter(pk=note.pk).exists()
    assert report.state == State.DISMISSED


@pytest.mark.django_db
def test_hiding_and_restoring_a_comment():
    operator = UserFactory(is_staff=True)
    comment = CommentFactory()
    report = CommentReportFactory(comment=comment)

    assert moderation.report_hide_content(report=report, operator=operator) is True
    comment.refresh_from_db()
    report.refresh_from_db()
    assert (comment.status, report.state) == (Comment.Status.HIDDEN, State.HIDDEN)

    assert moderation.comment_restore(comment=comment, operator=operator) is True
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


@pytest.mark.django_db
def test_dismissing_settles_every_open_report_about_the_same_thing_and_changes_no_content():
    operator = UserFactory(is_staff=True)
    note = NoteFactory()
    reports = NoteReportFactory.create_batch(2, note=note)

    assert moderation.report_dismiss(report=reports[0], operator=operator) == 2
    assert moderation.report_dismiss(report=reports[0], operator=operator) == 0

    assert set(Report.objects.values_list("state", flat=True)) == {State.DISMISSED}
    note.refresh_from_db()
    assert note.status == Note.Status.PUBLISHED


# --- the report form -----------------------------------------------------------------------------------------


@pytest.fixture
def reader_client(client):
    client.user = UserFactory()
    client.force_login(client.user)
    return client


@pytest.mark.django_db
def test_the_report_page_shows_the_reasons_and_what_is_reported(reader_client):
    note = NoteFactory(title="Miracle cream")
    response = reader_client.get(reverse("community:report_note", args=[note.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Miracle cream" in html
    for label in Reason.labels:
        assert str(label) in html
    assert 'data-testid="report-form"' in html


@pytest.mark.django_db
def test_reporting_without_javascript_redirects_back_with_thanks(reader_client):
    note = NoteFactory()
    url = reverse("community:report_note", args=[note.pk])

    response = reader_client.post(url, {"reason": "fake", "detail": "paid post, not disclosed"}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("community:note", args=[note.pk])
    assert "Thanks" in response.content.decode()
    report = Report.objects.get()
    assert (report.reporter, report.note, report.reason) == (reader_client.user, note, Reason.FAKE)


@pytest.mark.django_db
def test_reporting_through_htmx_swaps_in_a_thank_you(reader_client):
    comment = CommentFactory()
    url = reverse("community:report_comment", args=[comment.pk])
    form = reader_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in form and 'hx-post="' in form

    done = reader_client.post(url, {"reason": "offensive"}, headers={"HX-Request": "true"})
    again = reader_client.post(url, {"reason": "offensive"}, headers={"HX-Request": "true"})

    assert done.status_code == 200 and "Thanks for telling us" in done.content.decode()
    assert "already reported" in again.content.decode()
    assert Report.objects.filter(comment=comment).count() == 1


@pytest.mark.django_db
def test_a_report_without_a_reason_shows_the_error_and_stores_nothing(reader_client):
    note = NoteFactory()
    url = reverse("community:report_note", args=[note.pk])
    response = reader_client.post(url, {"detail": "hmm"})
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    htmx = reader_client.post(url, {"detail": "hmm"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and 'data-testid="error-reason"' in htmx.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_reporting_my_own_note_is_refused_in_plain_words(reader_client):
    note = NoteFactory(author=reader_client.user)
    response = reader_client.post(reverse("community:report_note", args=[note.pk]), {"reason": "spam"})
    assert response.status_code == 400
    assert "You can" in response.content.decode() and "report your own" in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_hidden_or_private_things_cannot_be_reported(reader_client):
    hidden = NoteFactory(status=Note.Status.HIDDEN)
    private = NoteFactory(visibility=Note.Visibility.PRIVATE)
    gone_comment = CommentFactory(status=Comment.Status.HIDDEN)
    for url in (
        reverse("community:report_note", args=[hidden.pk]),
        reverse("community:report_note", args=[private.pk]),
        reverse("community:report_comment", args=[gone_comment.pk]),
        reverse("community:report_note", args=[999999]),
    ):
        assert reader_client.post(url, {"reason": "spam"}).status_code == 404
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_the_report_page_needs_a_login(client):
    note = NoteFactory()
    response = client.post(reverse("community:report_note", args=[note.pk]), {"reason": "spam"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_next_only_goes_to_this_site(reader_client):
    note = NoteFactory()
    url = reverse("community:report_note", args=[note.pk])
    response = reader_client.post(url, {"reason": "spam", "next": "https://evil.example/"})
    assert response["Location"] == reverse("community:note", args=[note.pk])


@pytest.mark.django_db
def test_reported_text_is_escaped_in_the_form(reader_client):
    comment = CommentFactory(body='<img src=x onerror="alert(1)"> <b hx-get="/x">hi</b>')
    html = reader_client.get(reverse("community:report_comment", args=[comment.pk])).content.decode()
    assert "<img src=x" not in html and "&lt;img src=x" in html
    assert '<b hx-get="/x">' not in html


# --- API --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_report_is_201_then_200_with_the_same_report(member_api):
    note = NoteFactory()
    first = member_api.post("/api/reports/", {"note": note.pk, "reason": "spam"}, format="json")
    second = member_api.post("/api/reports/", {"note": note.pk, "reason": "fake"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["state"] == "open" and first.json()["reason"] == "spam"


@pytest.mark.django_db
def test_api_reports_a_comment(member_api):
    comment = CommentFactory()
    response = member_api.post(
        "/api/reports/", {"comment": comment.pk, "reason": "offensive", "detail": "insult"}
    )
    assert response.status_code == 201
    assert Report.objects.get().comment == comment


@pytest.mark.django_db
@pytest.mark.parametrize(
    "payload, status",
    [
        ({"reason": "spam"}, 400),
        ({"note": 1, "comment": 1, "reason": "spam"}, 400),
        ({"note": "own", "reason": "spam"}, 400),
        ({"note": "other", "reason": "nope"}, 400),
        ({"note": "hidden", "reason": "spam"}, 404),
        ({"note": 999999, "reason": "spam"}, 404),
    ],
)
def test_api_refuses_bad_reports_and_stores_nothing(member_api, payload, status):
    targets = {
        "own": NoteFactory(author=member_api.user).pk,
        "other": NoteFactory().pk,
        "hidden": NoteFactory(status=Note.Status.HIDDEN).pk,
    }
    payload = {k: targets.get(v, v) if k == "note" else v for k, v in payload.items()}
    response = member_api.post("/api/reports/", payload, format="json")
    assert response.status_code == status
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_api_report_needs_a_login():
    assert APIClient().post("/api/reports/", {"note": 1, "reason": "spam"}).status_code == 403
