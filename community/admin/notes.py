"""Notes in admin, with their images, the reports about them, and the topics and boards they are filed
under. Operators hide and restore notes through community.services.moderation; deleting a note is its
author's (note_delete keeps topic counts and removes files), and no counter is typed into."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.admin.moderation import NoteReportInline
from community.models import Board, Note, NoteImage, Topic
from community.services import moderation
from core.admintools import DASH, ReadOnlyAdmin, ReadOnlyInline, ViewOnlyAdmin, run_action


class NoteImageInline(ReadOnlyInline):
    model = NoteImage
    fields = ["preview", "position", "width", "height", "state"]
    readonly_fields = fields
    ordering = ["position"]

    @admin.display(description=_("image"))
    def preview(self, image):
        if not image.feed:
            return DASH
        return format_html('<img src="{}" alt="" style="height:80px;border-radius:6px">', image.feed.url)


@admin.register(Note)
class NoteAdmin(ReadOnlyAdmin):
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

    @admin.action(description=_("Hide the selected notes"), permissions=["operate"])
    def hide(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related(None).only("id", "status"),
            lambda note: moderation.note_hide(note=note, operator=request.user),
            done=lambda n: ngettext("Hid %(n)d note.", "Hid %(n)d notes.", n),
            unchanged=_("%(n)d were already hidden."),
        )

    @admin.action(description=_("Restore (publish) the selected notes"), permissions=["operate"])
    def restore(self, request, queryset):
        run_action(
            self,
            request,
            queryset.select_related(None).only("id", "status"),
            lambda note: moderation.note_restore(note=note, operator=request.user),
            done=lambda n: ngettext("Restored %(n)d note.", "Restored %(n)d notes.", n),
            unchanged=_("%(n)d were already published."),
        )


# --- topics and boards -------------------------------------------------------------------------------------


@admin.register(Topic)
class TopicAdmin(ViewOnlyAdmin):
    list_display = ["id", "name", "note_count", "created_at"]
    search_fields = ["name"]
    fields = ["name", "note_count", "created_at"]
    ordering = ["-note_count", "id"]


@admin.register(Board)
class BoardAdmin(ReadOnlyAdmin):  # a board's collects and counts belong to its owner's services
    list_display = ["id", "name", "owner", "is_private", "is_default", "note_count", "created_at"]
    list_filter = ["is_private", "is_default"]
    search_fields = ["name", "owner__username"]
    list_select_related = ["owner"]
    fields = ["owner", "name", "is_private", "is_default", "note_count", "created_at"]
    ordering = ["-id"]
