"""Moderation: people report notes and comments; operators hide or restore the content, or dismiss.

Hiding sets ``status=hidden``: the feeds and search filter on status, so the content leaves them at
once, while its author still opens it and sees that it is hidden. Every state change is a
compare-and-set UPDATE, so two operators acting on the same report at once change it once. Deciding on
content settles every open report about it, whoever filed them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import Comment, Note, Report
from core.errors import DomainError, NotFound
from core.tasks import enqueue_on_commit

DETAIL_MAX = 300


@dataclass(frozen=True)
class ReportResult:
    report: Report
    created: bool  # False when the same person's open report about the same thing already existed


def report_create(
    *,
    reporter: User,
    reason: str,
    note: Note | None = None,
    comment: Comment | None = None,
    detail: str = "",
) -> ReportResult:
    """File a report about ``note`` or ``comment`` (fetched with the reporter's permission by the caller).

    Reporting the same thing again while the first report is open answers with that report.
    """
    if (note is None) == (comment is None):
        raise DomainError(_("Report either a note or a comment."))
    if reason not in Report.Reason.values:
        raise DomainError(_("Choose a reason."), field="reason")
    detail = (detail or "").strip()
    if len(detail) > DETAIL_MAX:
        raise DomainError(
            _("Keep the details under %(max)d characters; this has %(n)d.")
            % {"max": DETAIL_MAX, "n": len(detail)},
            field="detail",
        )
    author_id = note.author_id if note is not None else comment.author_id
    if author_id == reporter.pk:
        raise DomainError(_("You can't report your own posts."))
    target = {"note": note} if note is not None else {"comment": comment}
    for _attempt in range(2):
        try:
            with transaction.atomic(durable=True):
                report = Report.objects.create(reporter=reporter, reason=reason, detail=detail, **target)
            return ReportResult(report, created=True)
        except IntegrityError:
            # The partial unique constraint: this person already has an open report about it. (If that
            # report was settled in between, filing again succeeds on the second attempt.)
            existing = Report.objects.filter(reporter=reporter, state=Report.State.OPEN, **target).first()
            if existing is not None:
                return ReportResult(existing, created=False)
    # Still refused: the note or comment was deleted meanwhile.
    raise NotFound(_("This is no longer there to report."))


def _settle_reports(*, operator: User | None, state: str, **target) -> int:
    return Report.objects.filter(state=Report.State.OPEN, **target).update(
        state=state, handled_by=operator, handled_at=timezone.now()
    )


def _main_reason(**target) -> str:
    """The reason most of the open reports about the content give ("" when nobody reported it)."""
    row = (
        Report.objects.filter(state=Report.State.OPEN, **target)
        .values("reason")
        .annotate(n=Count("id"))
        .order_by("-n", "reason")
        .first()
    )
    return row["reason"] if row else ""


def note_hide(*, note: Note, operator: User | None) -> bool:
    """Hide a note from everyone but its author; its open reports are settled as "content hidden". The
    author is told why (the reports' main reason) and how to appeal, after commit."""
    with transaction.atomic(durable=True):
        changed = (
            Note.objects.filter(pk=note.pk)
            .exclude(status__in=(Note.Status.HIDDEN, Note.Status.DRAFT))
            .update(status=Note.Status.HIDDEN)
        )
        if changed:
            enqueue_on_commit(
                "community.tasks.notify_note_hidden_task",
                note.pk,
                _main_reason(note_id=note.pk),
                timezone.now().isoformat(),
            )
        _settle_reports(operator=operator, state=Report.State.HIDDEN, note_id=note.pk)
    if changed:
        note.status = Note.Status.HIDDEN
    return bool(changed)


def note_restore(*, note: Note, operator: User | None) -> bool:
    """Publish a hidden (or under-review) note again; its open reports are dismissed. A draft stays a
    draft: only its writer publishes it (moderation never had it to hide)."""
    with transaction.atomic(durable=True):
        changed = (
            Note.objects.filter(pk=note.pk)
            .exclude(status__in=(Note.Status.PUBLISHED, Note.Status.DRAFT))
            .update(status=Note.Status.PUBLISHED)
        )
        _settle_reports(operator=operator, state=Report.State.DISMISSED, note_id=note.pk)
    if changed:
        note.status = Note.Status.PUBLISHED
    return bool(changed)


def comment_hide(*, comment: Comment, operator: User | None) -> bool:
    with transaction.atomic(durable=True):
        changed = Comment.objects.filter(pk=comment.pk, status=Comment.Status.VISIBLE).update(
            status=Comment.Status.HIDDEN
        )
        _settle_reports(operator=operator, state=Report.State.HIDDEN, comment_id=comment.pk)
    if changed:
        comment.status = Comment.Status.HIDDEN
    return bool(changed)


def comment_restore(*, comment: Comment, operator: User | None) -> bool:
    with transaction.atomic(durable=True):
        changed = Comment.objects.filter(pk=comment.pk, status=Comment.Status.HIDDEN).update(
            status=Comment.Status.VISIBLE
        )
        _settle_reports(operator=operator, state=Report.State.DISMISSED, comment_id=comment.pk)
    if changed:
        comment.status = Comment.Status.VISIBLE
    return bool(changed)


def report_hide_content(*, report: Report, operator: User) -> bool:
    """Uphold a report: hide what it is about (settling every open report about it)."""
    if report.note_id is not None:
        return note_hide(note=Note(pk=report.note_id), operator=operator)
    return comment_hide(comment=Comment(pk=report.comment_id), operator=operator)


def report_restore_content(*, report: Report, operator: User) -> bool:
    """Undo a hide: show the content again (its open reports are dismissed)."""
    if report.note_id is not None:
        return note_restore(note=Note(pk=report.note_id), operator=operator)
    return comment_restore(comment=Comment(pk=report.comment_id), operator=operator)


def report_dismiss(*, report: Report, operator: User) -> int:
    """The content is fine: dismiss every open report about it. Returns how many were dismissed."""
    target = {"note_id": report.note_id} if report.note_id is not None else {"comment_id": report.comment_id}
    with transaction.atomic(durable=True):
        return _settle_reports(operator=operator, state=Report.State.DISMISSED, **target)
