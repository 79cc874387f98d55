"""Operators' screens for the community: the report queue, notes, comments, topics, boards.

Everything here reads; changes go through services (hide, restore, dismiss, delete a note). Counters
are never edited by hand: they are read-only and the hourly recompute fixes any drift.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import Board, Comment, Note, NoteImage, Report, Topic
from community.services import moderation


def _admin_link(obj, text) -> str:
    if obj is None:
        return "-"
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def _done(modeladmin, request, *, changed: int, total: int, done: str, unchanged: str) -> None:
    modeladmin.message_user(request, done % {"n": changed}, messages.SUCCESS)
    if total - changed:
        modeladmin.message_user(request, unchanged % {"n": total - changed}, messages.INFO)


class ReadOnlyAdminMixin:
    """Shown, never typed into: rows are created by people on the site, changed through actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing on the page can be typed into, so no Save buttons; the actions are on the list.
        hide = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **hide})


# --- reports: the moderation queue -------------------------------------------------------------------------


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
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    actions = ["hide_content", "restore_content", "dismiss"]

    def changelist_view(self, request, extra_context=None):
        # The queue opens on what still needs a decision.
        if not request.GET and request.method == "GET":
            return HttpResponseRedirect(f"{request.path}?state__exact={Report.State.OPEN}")
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("reported"))
    def target(self, report):
        if report.note_id:
            return _admin_link(report.note, format_html("{} {}", _("Note:"), report.note.title))
        return _admin_link(
            report.comment, format_html("{} {}", _("Comment:"), Truncator(report.comment.body).chars(60))
        )

    @admin.display(description=_("text"))
    def target_text(self, report):
        return report.note.body if report.note_id else report.comment.body

    @admin.display(description=_("author"))
    def target_author(self, report):
        author = report.note.author if report.note_id else report.comment.author
        return _admin_link(author, author.username)

    @admin.display(description=_("content status"))
    def target_status(self, report):
        target = report.note if report.note_id else report.comment
        return target.get_status_display()

    @admin.display(description=_("detail"))
    def short_detail(self, report):
        return Truncator(report.detail).chars(60)

    @admin.action(description=_("Hide the reported content"), permissions=["change"])
    def hide_content(self, request, queryset):
        reports = list(queryset)
        changed = sum(moderation.report_hide_content(report=r, operator=request.user) for r in reports)
        _done(
            self,
            request,
            changed=changed,
            total=len(reports),
            done=ngettext("Hid the content of %(n)d report.", "Hid the content of %(n)d reports.", changed),
            unchanged=_("%(n)d were already hidden (their open reports are settled)."),
        )

    @admin.action(description=_("Restore the reported content"), permissions=["change"])
    def restore_content(self, request, queryset):
        reports = list(queryset)
        changed = sum(moderation.report_restore_content(report=r, operator=request.user) for r in reports)
        _done(
            self,
            request,
            changed=changed,
            total=len(reports),
            done=ngettext(
                "Restored the content of %(n)d report.", "Restored the content of %(n)d reports.", changed
            ),
            unchanged=_("%(n)d were already visible."),
        )

    @admin.action(description=_("Dismiss: the content is fine"), permissions=["change"])
    def dismiss(self, request, queryset):
        dismissed = 0
        for report in queryset:
            dismissed += moderation.report_dismiss(report=report, operator=request.user)
        self.message_user(
            request,
            ngettext("Dismissed %(n)d open report.", "Dismissed %(n)d open reports.", dismissed)
            % {"n": dismissed},
            messages.SUCCESS,
        )


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["reason", "detail", "reporter", "state", "created_at", "handled_by"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class NoteReportInline(ReportInline):
    fk_name = "note"
    verbose_name_plural = _("reports about this note")


class CommentReportInline(ReportInline):
    fk_name = "comment"
    verbose_name_plural = _("reports about this comment")


# --- notes and comments ----------------------------------------------------------------------------------------


class NoteImageInline(admin.TabularInline):
    model = NoteImage
    extra = 0
    fields = ["preview", "position", "width", "height", "state"]
    readonly_fields = fields
    can_delete = False
    ordering = ["position"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("image"))
    def preview(self, image):
        if not image.feed:
            return "-"
        return format_html('<img src="{}" alt="" style="height:80px;border-radius:6px">', image.feed.url)


@admin.register(Note)
class NoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "title",
        "author",
        "status",
        "visibility",
        "like_count",
        "collect_count",
        "comment_count",
        "view_count",
        "created_at",
    ]
    list_display_links = ["id", "title"]
    list_filter = ["status", "visibility", "created_at"]
    search_fields = ["title", "body", "author__username", "author__nickname"]
    list_select_related = ["author"]
    fields = [
        "author",
        "title",
        "body",
        "location",
        "topics",
        "visibility",
        "status",
        "like_count",
        "collect_count",
        "comment_count",
        "view_count",
        "hot_score",
        "created_at",
        "updated_at",
    ]
    inlines = [NoteImageInline, NoteReportInline]
    ordering = ["-id"]
    actions = ["hide", "restore"]

    @admin.action(description=_("Hide the selected notes"), permissions=["change"])
    def hide(self, request, queryset):
        notes = list(queryset.select_related(None).only("id", "status"))
        changed = sum(moderation.note_hide(note=n, operator=request.user) for n in notes)
        _done(
            self,
            request,
            changed=changed,
            total=len(notes),
            done=ngettext("Hid %(n)d note.", "Hid %(n)d notes.", changed),
            unchanged=_("%(n)d were already hidden."),
        )

    @admin.action(description=_("Restore (publish) the selected notes"), permissions=["change"])
    def restore(self, request, queryset):
        notes = list(queryset.select_related(None).only("id", "status"))
        changed = sum(moderation.note_restore(note=n, operator=request.user) for n in notes)
        _done(
            self,
            request,
            changed=changed,
            total=len(notes),
            done=ngettext("Restored %(n)d note.", "Restored %(n)d notes.", changed),
            unchanged=_("%(n)d were already published."),
        )

    def has_delete_permission(self, request, obj=None):
        # Operators hide; deleting is the author's (note_delete keeps topic counts and removes files).
        return False


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "excerpt",
        "author",
        "note_link",
        "is_reply",
        "status",
        "like_count",
        "reply_count",
        "created_at",
    ]
    list_filter = ["status", "created_at"]
    search_fields = ["body", "author__username", "note__title"]
    list_select_related = ["author", "note"]
    fields = [
        "note",
        "author",
        "parent",
        "reply_to",
        "body",
        "status",
        "like_count",
        "reply_count",
        "created_at",
    ]
    inlines = [CommentReportInline]
    ordering = ["-id"]
    actions = ["hide", "restore"]

    def has_delete_permission(self, request, obj=None):
        return False  # operators hide; deleting is for the comment's or the note's author

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(60)

    @admin.display(description=_("note"))
    def note_link(self, comment):
        return _admin_link(comment.note, comment.note.title)

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, comment):
        return comment.parent_id is not None

    @admin.action(description=_("Hide the selected comments"), permissions=["change"])
    def hide(self, request, queryset):
        comments = list(queryset.select_related(None).only("id", "status"))
        changed = sum(moderation.comment_hide(comment=c, operator=request.user) for c in comments)
        _done(
            self,
            request,
            changed=changed,
            total=len(comments),
            done=ngettext("Hid %(n)d comment.", "Hid %(n)d comments.", changed),
            unchanged=_("%(n)d were already hidden."),
        )

    @admin.action(description=_("Restore the selected comments"), permissions=["change"])
    def restore(self, request, queryset):
        comments = list(queryset.select_related(None).only("id", "status"))
        changed = sum(moderation.comment_restore(comment=c, operator=request.user) for c in comments)
        _done(
            self,
            request,
            changed=changed,
            total=len(comments),
            done=ngettext("Restored %(n)d comment.", "Restored %(n)d comments.", changed),
            unchanged=_("%(n)d were already visible."),
        )


# --- topics and boards ----------------------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "name", "note_count", "created_at"]
    search_fields = ["name"]
    fields = ["name", "note_count", "created_at"]
    ordering = ["-note_count", "id"]


@admin.register(Board)
class BoardAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "name", "owner", "is_private", "is_default", "note_count", "created_at"]
    list_filter = ["is_private", "is_default"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    fields = ["owner", "name", "is_private", "is_default", "note_count", "created_at"]
    ordering = ["-id"]

    def has_delete_permission(self, request, obj=None):
        return False  # a board's collects and counts belong to its owner's services


# Issue 6's operator screens live in their own modules (partnerships and the disclosure queue; demand).
from community import admin_demand, admin_trust  # noqa: E402, F401
