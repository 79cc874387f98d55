"""Operators: brand partnerships and the undeclared-partnership review queue.

Partnerships are recorded here (a brand, a writer, a campaign and its period); writers then pick them
when posting. The queue lists notes that tag a partner brand's product without declaring the partnership
(flags created by services/disclosure.py, never by hand); its actions call services/trust.py. Nothing on
these screens can give a note a "bought here" badge: that is derived from delivered orders only.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.models import DisclosureFlag, Partnership
from community.services import trust as trust_services
from core.admintools import ChangedFieldsOnlyAdmin, ViewOnlyAdmin, run_action


class PartnershipForm(forms.ModelForm):
    """The admin's autocomplete widgets look their selected value up while drawing the form again, so a
    brand or writer that is not an id would fail there (a 500); it is dropped first and the field then
    says it is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            data = self.data.copy()
            for name in ("brand", "writer"):
                value = str(data.get(name, "")).strip()
                if value and not (value.isascii() and value.isdigit() and len(value) <= 18):
                    data[name] = ""
            self.data = data


class PartnershipActiveFilter(admin.SimpleListFilter):
    title = _("period")
    parameter_name = "period"

    def lookups(self, request, model_admin):
        return [("active", _("Running today")), ("upcoming", _("Not started")), ("ended", _("Ended"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "active":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if self.value() == "upcoming":
            return queryset.filter(starts_on__gt=today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


@admin.register(Partnership)
class PartnershipAdmin(ChangedFieldsOnlyAdmin):
    form = PartnershipForm
    list_display = ["title", "brand", "writer", "starts_on", "ends_on", "is_active", "declared_notes"]
    list_filter = [PartnershipActiveFilter, "brand"]
    search_fields = ["title", "brand__name_en", "brand__name_zh_hans", "writer__username", "writer__nickname"]
    list_select_related = ["brand", "writer"]
    autocomplete_fields = ["brand", "writer"]
    fields = ["brand", "writer", "title", "starts_on", "ends_on", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]
    ordering = ["-starts_on", "-id"]
    date_hierarchy = "starts_on"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(declared_count=Count("notes", distinct=True))

    @admin.display(description=_("declared notes"), ordering="declared_count")
    def declared_notes(self, partnership):
        return partnership.declared_count

    @admin.display(description=_("running"), boolean=True)
    def is_active(self, partnership):
        return partnership.starts_on <= timezone.localdate() <= partnership.ends_on

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            trust_services.partnership_record(partnership=obj, operator=request.user)

    def get_readonly_fields(self, request, obj=None):
        # Notes declared under it are bound to its brand and writer: changing either would relabel
        # published notes with another sponsor. Record a new partnership instead.
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.notes.exists():
            fields += ["brand", "writer"]
        return fields

    def has_delete_permission(self, request, obj=None):
        # Notes declared under it keep pointing at it (PROTECT): end a campaign by its period instead.
        if obj is not None and obj.notes.exists():
            return False
        return super().has_delete_permission(request, obj)


# --- the undeclared-partnership queue ----------------------------------------------------------------------


@admin.register(DisclosureFlag)
class DisclosureFlagAdmin(ViewOnlyAdmin):
    """Flags come from the disclosure check and change only through the actions."""

    list_display = [
        "id",
        "note_link",
        "writer",
        "brand",
        "partnership_link",
        "state",
        "created_at",
        "handled",
    ]
    list_display_links = ["id"]
    list_filter = ["state", ("partnership__brand", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = [
        "note__title",
        "note__author__username",
        "partnership__brand__name_en",
        "partnership__brand__name_zh_hans",
        "partnership__title",
    ]
    list_select_related = ["note", "note__author", "partnership", "partnership__brand", "handled_by"]
    fields = [
        "note_link",
        "writer",
        "brand",
        "partnership_link",
        "state",
        "created_at",
        "handled_by",
        "handled_at",
    ]
    ordering = ["-id"]
    opens_on = {"state__exact": DisclosureFlag.State.OPEN}  # the queue opens on what still needs a decision
    actions = ["label_sponsored", "hide_note", "dismiss"]

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("note", "note__author", "partnership", "partnership__brand", "handled_by")
        )

    @admin.display(description=_("note"), ordering="note__id")
    def note_link(self, flag):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:community_note_change", args=[flag.note_id]),
            flag.note.title,
            reverse("community:note", args=[flag.note_id]),
            _("view on site"),
        )

    @admin.display(description=_("writer"), ordering="note__author__username")
    def writer(self, flag):
        return flag.note.author.username

    @admin.display(description=_("brand"), ordering="partnership__brand__name")
    def brand(self, flag):
        return flag.partnership.brand.name

    @admin.display(description=_("partnership"))
    def partnership_link(self, flag):
        return format_html(
            '<a href="{}">{}</a> ({} – {})',
            reverse("admin:community_partnership_change", args=[flag.partnership_id]),
            flag.partnership.title,
            flag.partnership.starts_on,
            flag.partnership.ends_on,
        )

    @admin.display(description=_("handled"))
    def handled(self, flag):
        if flag.handled_at is None:
            return "-"
        who = flag.handled_by.username if flag.handled_by_id else "?"
        return format_html("{} · {}", who, timezone.localtime(flag.handled_at).strftime("%Y-%m-%d %H:%M"))

    def _decide(self, request, queryset, service, *, done) -> None:
        run_action(
            self,
            request,
            queryset.select_related(None).only("id", "note_id", "partnership_id", "state"),
            lambda flag: service(flag=flag, operator=request.user),
            label=None,
            unchanged_on=(trust_services.FlagAlreadyHandled,),
            refusal_level=messages.WARNING,
            done=done,
            unchanged=lambda n: ngettext(
                "%(n)d flag was already handled; it was left as it was.",
                "%(n)d flags were already handled; they were left as they were.",
                n,
            ),
        )

    @admin.action(
        description=_("Label as sponsored (bind the note to the partnership)"), permissions=["operate"]
    )
    def label_sponsored(self, request, queryset):
        self._decide(
            request,
            queryset,
            trust_services.disclosure_flag_label,
            done=lambda n: ngettext(
                "Labelled %(n)d note as sponsored.", "Labelled %(n)d notes as sponsored.", n
            ),
        )

    @admin.action(description=_("Hide the note"), permissions=["operate"])
    def hide_note(self, request, queryset):
        self._decide(
            request,
            queryset,
            trust_services.disclosure_flag_hide,
            done=lambda n: ngettext("Hid %(n)d note.", "Hid %(n)d notes.", n),
        )

    @admin.action(description=_("Dismiss: nothing to disclose"), permissions=["operate"])
    def dismiss(self, request, queryset):
        self._decide(
            request,
            queryset,
            trust_services.disclosure_flag_dismiss,
            done=lambda n: ngettext("Dismissed %(n)d flag.", "Dismissed %(n)d flags.", n),
        )
