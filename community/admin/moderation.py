"""The report queue: what was reported, by whom and about whom, with actions that hide or restore the
reported content or dismiss the report through community.services.moderation."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import Report
from community.services import moderation
from core.admintools import (
    ActionCounts,
    ReadOnlyInline,
    ViewOnlyAdmin,
    admin_link,
    report_counts,
    run_action,
)


class ReportTargetFilter(admin.SimpleListFilter):
    title = _("about")
    parameter_name = "about"

    def lookups(self, request, model_admin):
        return [("note", _("Notes")), ("comment", _("Comments"))]

    def queryset(self, request, queryset):
        if self.value() == "note":
            return queryset.filter(note__isnull=False)
        if self.value() == "comment":
            return queryset.filter(comment__isnull=False)
        return queryset


@admin.register(Report)
class ReportAdmin(ViewOnlyAdmin):
    list_display = [
        "id",
        "target",
        "target_author",
        "target_status",
        "reason",
        "short_detail",
        "reporter",
        "state",
        "created_at",
    ]
    list_display_links = ["id"]
    list_filter = ["state", "reason", ReportTargetFilter, "created_at"]
    search_fields = ["note__title", "note__body", "comment__body", "reporter__username"]
    list_select_related = ["reporter", "handled_by", "note", "note__author", "comment", "comment__author"]
    fields = [
        "target",
        "target_text",
        "target_author",
        "target_status",
        "reason",
        "detail",
        "reporter",
        "state",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    ordering = ["-id"]
    opens_on = {"state__exact": Report.State.OPEN}  # the queue opens on what still needs a decision
    actions = ["hide_content", "restore_content", "dismiss"]

    @admin.display(description=_("reported"))
    def target(self, report):
        if report.note_id:
            return admin_link(report.note, format_html("{} {}", _("Note:"), report.note.title))
        return admin_link(
            report.comment, format_html("{} {}", _("Comment:"), Truncator(report.comment.body).chars(60))
        )

    @admin.display(description=_("text"))
    def target_text(self, report):
        return report.note.body if report.note_id else report.comment.body

    @admin.display(description=_("author"))
    def target_author(self, report):
        author = report.note.author if report.note_id else report.comment.author
        return admin_link(author, author.username)

    @admin.display(description=_("content status"))
    def target_status(self, report):
        target = report.note if report.note_id else report.comment
        return target.get_status_display()

    @admin.display(description=_("detail"))
    def short_detail(self, report):
        return Truncator(report.detail).chars(60)

    @admin.action(description=_("Hide the reported content"), permissions=["operate"])
    def hide_content(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda report: moderation.report_hide_content(report=report, operator=request.user),
            done=lambda n: ngettext(
                "Hid the content of %(n)d report.", "Hid the content of %(n)d reports.", n
            ),
            unchanged=_("%(n)d were already hidden (their open reports are settled)."),
        )

    @admin.action(description=_("Restore the reported content"), permissions=["operate"])
    def restore_content(self, request, queryset):
        run_action(
            self,
            request,
            queryset,
            lambda report: moderation.report_restore_content(report=report, operator=request.user),
            done=lambda n: ngettext(
                "Restored the content of %(n)d report.", "Restored the content of %(n)d reports.", n
            ),
            unchanged=_("%(n)d were already visible."),
        )

    @admin.action(description=_("Dismiss: the content is fine"), permissions=["operate"])
    def dismiss(self, request, queryset):
        # Dismissing a report settles every open report about the same content: count those.
        dismissed = sum(moderation.report_dismiss(report=r, operator=request.user) for r in queryset)
        report_counts(
            self,
            request,
            ActionCounts(done=dismissed),
            done=lambda n: ngettext("Dismissed %(n)d open report.", "Dismissed %(n)d open reports.", n),
        )


# The hide and restore actions on the lists of notes and of comments, per model: the service, the action's
# label, what it says it did, and what it says of rows that were already so.
HIDE_AND_RESTORE = {
    "note": {
        "hide": (
            moderation.note_hide,
            _("Hide the selected notes"),
            lambda n: ngettext("Hid %(n)d note.", "Hid %(n)d notes.", n),
            _("%(n)d were already hidden."),
        ),
        "restore": (
            moderation.note_restore,
            _("Restore (publish) the selected notes"),
            lambda n: ngettext("Restored %(n)d note.", "Restored %(n)d notes.", n),
            _("%(n)d were already published."),
        ),
    },
    "comment": {
        "hide": (
            moderation.comment_hide,
            _("Hide the selected comments"),
            lambda n: ngettext("Hid %(n)d comment.", "Hid %(n)d comments.", n),
            _("%(n)d were already hidden."),
        ),
        "restore": (
            moderation.comment_restore,
            _("Restore the selected comments"),
            lambda n: ngettext("Restored %(n)d comment.", "Restored %(n)d comments.", n),
            _("%(n)d were already visible."),
        ),
    },
}


def hide_and_restore_actions(model_name: str) -> list:
    """The "hide" and "restore" admin actions of notes or comments: one service call per selected row
    (``note_hide(note=..., operator=...)``, ...); a row already in that state is counted as unchanged."""
    return [
        _moderation_action(model_name, verb, *HIDE_AND_RESTORE[model_name][verb])
        for verb in ("hide", "restore")
    ]


def _moderation_action(model_name: str, verb: str, service, description, done, unchanged):
    def action(modeladmin, request, queryset):
        run_action(
            modeladmin,
            request,
            queryset.select_related(None).only("id", "status"),
            lambda row: service(**{model_name: row}, operator=request.user),
            done=done,
            unchanged=unchanged,
        )

    action.__name__ = verb
    return admin.action(description=description, permissions=["operate"])(action)


class ReportInline(ReadOnlyInline):
    """The reports about the page's note or comment, each linking to its place in the queue."""

    model = Report
    fields = ["reason", "detail", "reporter", "state", "created_at", "handled_by"]
    readonly_fields = fields
    show_change_link = True
    classes = []  # keep the caption above each row: it carries the link to the report


class NoteReportInline(ReportInline):
    fk_name = "note"
    verbose_name_plural = _("reports about this note")


class CommentReportInline(ReportInline):
    fk_name = "comment"
    verbose_name_plural = _("reports about this comment")
