"""Notes in admin, with their images, the reports about them, and the topics and boards they are filed
under. Operators hide and restore notes through community.services.moderation; deleting a note is its
author's (note_delete keeps topic counts and removes files), and no counter is typed into."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from community.admin.moderation import NoteReportInline, hide_and_restore_actions
from community.models import Board, Note, NoteImage, Topic
from core.admintools import DASH, ReadOnlyAdmin, ReadOnlyInline, ViewOnlyAdmin


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
    actions = hide_and_restore_actions("note")


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
