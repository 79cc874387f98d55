"""Reminders as operators see them: who asked to be told about which sale, and when they were."""

from __future__ import annotations

from django.contrib import admin

from core.admintools import ToolkitAdmin
from flashsale.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(ToolkitAdmin):
    list_display = ["sale", "user", "created_at", "notified_at"]
    list_filter = [("notified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["sale", "user"]
    search_fields = ["user__username", "sale__title"]
    fields = ["sale", "user", "created_at", "notified_at"]
    readonly_fields = fields

    # Buyers make reminders ("Remind me") and the periodic task marks them: operators only look (and may
    # delete one a buyer asked to be rid of).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
