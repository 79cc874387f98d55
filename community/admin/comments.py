"""Comments in admin: operators hide and restore them through community.services.moderation; deleting
is for the comment's or the note's author, and the counters are never typed into."""

from __future__ import annotations

from django.contrib import admin
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from community.admin.moderation import CommentReportInline, hide_and_restore_actions
from community.models import Comment
from core.admintools import ReadOnlyAdmin, admin_link


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
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
    actions = hide_and_restore_actions("comment")

    @admin.display(description=_("comment"))
    def excerpt(self, comment):
        return Truncator(comment.body).chars(60)

    @admin.display(description=_("note"))
    def note_link(self, comment):
        return admin_link(comment.note, comment.note.title)

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, comment):
        return comment.parent_id is not None
