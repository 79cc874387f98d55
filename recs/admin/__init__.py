"""The operators' view of the personal feed: the switch (plain hot ranking, the exploration budget), the
sources' share of impressions and engagement, card taps by surface and source, and the freshest notes'
reach."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin
from django.db.models import Sum
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admintools import ReadOnlyAdmin, ToolkitAdmin
from recs.models import NoteReach, RecsSwitch, SourceDaily, TapDaily


@admin.register(RecsSwitch)
class RecsSwitchAdmin(ToolkitAdmin):
    list_display = ("__str__", "plain_hot", "explore_budget", "updated_at")
    fields = ("plain_hot", "explore_budget")

    def has_add_permission(self, request):
        # One row, made on first visit (changelist_view): no "add" to ask the database about on every admin
        # page, whose sidebar asks each model whether it may be added.
        return False

    def changelist_view(self, request, extra_context=None):
        """The switch is one row: its list opens that row's form."""
        switch, _created = RecsSwitch.objects.get_or_create(pk=1)
        return redirect(reverse("admin:recs_recsswitch_change", args=[switch.pk]))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(SourceDaily)
class SourceDailyAdmin(ReadOnlyAdmin):
    """Each source's impressions and engagements per day, with its shares of the last 7 days on top."""

    list_display = ("day", "source", "impressions", "engagements", "engagement_rate")
    list_filter = ("source",)
    date_hierarchy = "day"
    ordering = ("-day", "source")
    change_list_template = "admin/recs/sourcedaily/change_list.html"

    @admin.display(description=_("engagement rate"))
    def engagement_rate(self, obj) -> str:
        return f"{obj.engagements / obj.impressions:.1%}" if obj.impressions else "-"

    def changelist_view(self, request, extra_context=None):
        since = timezone.localdate() - timedelta(days=7)
        rows = list(
            SourceDaily.objects.filter(day__gte=since)
            .values("source")
            .annotate(impressions=Sum("impressions"), engagements=Sum("engagements"))
            .order_by("source")
        )
        total_imp = sum(r["impressions"] for r in rows) or 1
        total_eng = sum(r["engagements"] for r in rows) or 1
        shares = [
            {
                **r,
                "impression_share": f"{r['impressions'] / total_imp:.1%}",
                "engagement_share": f"{r['engagements'] / total_eng:.1%}",
            }
            for r in rows
        ]
        return super().changelist_view(request, {**(extra_context or {}), "shares": shares})


@admin.register(TapDaily)
class TapDailyAdmin(ReadOnlyAdmin):
    """Card taps per day, by the surface the card was on and (on the for-you feed) the source that showed it."""

    list_display = ("day", "surface", "source", "taps")
    list_filter = ("surface", "source")
    date_hierarchy = "day"
    ordering = ("-day", "surface", "source")


@admin.register(NoteReach)
class NoteReachAdmin(ReadOnlyAdmin):
    """The reach of notes, freshest first: how many cards were shown, and how many by the budget."""

    list_display = ("note", "note_created", "impressions", "explore_impressions", "updated_at")
    list_select_related = ("note",)
    ordering = ("-note_id",)

    @admin.display(description=_("published"), ordering="note__created_at")
    def note_created(self, obj):
        return obj.note.created_at
