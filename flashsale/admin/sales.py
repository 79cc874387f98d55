"""The flash-sale list, its form, and the console: a live page per sale showing Redis and the database
side by side, with the actions the sale's state allows as buttons.

Nothing here writes stock or sale counters: every button and list action calls one service (see
actions.py), and a refused action is an error message with nothing changed.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.admintools import ToolkitAdmin, badge
from flashsale.admin.actions import ACTIONS, sale_actions_run
from flashsale.forms import FlashSaleForm, SkuCodeField
from flashsale.models import FlashSale
from flashsale.selectors.figures import sale_figures
from flashsale.selectors.reminders import reminder_count
from flashsale.selectors.sales import sale_for_console

State = FlashSale.State


def _list_action(name: str):
    def action(modeladmin, request, queryset):
        sale_actions_run(modeladmin, request, queryset.select_related("warehouse").order_by("pk"), name)

    action.__name__ = f"sale_{name}"
    return admin.action(description=ACTIONS[name].label, permissions=["change"])(action)


@admin.register(FlashSale)
class FlashSaleAdmin(ToolkitAdmin):
    form = FlashSaleForm
    list_display = ["__str__", "sku_code", "state_label", "window", "sold_of_quota", "price", "console_link"]
    list_filter = ["state", "frozen", "is_cross_border", "warehouse"]
    list_select_related = ["sku__product", "warehouse"]
    search_fields = ["title", "sku__code", "sku__product__name_en", "sku__product__name_zh_hans"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at", "-id"]
    actions = [_list_action(name) for name in ACTIONS]
    base_fields = [
        "title",
        ("sku", "warehouse"),
        ("price", "quota", "per_user_limit"),
        ("starts_at", "ends_at"),
        "is_cross_border",
    ]
    state_fields = ["state", "frozen", "sold", "published_at", "ended_at", "created_at"]

    class Media:
        css = {"all": ["css/flashsale.css"]}

    # SKUs are many: a search box when the mall registers its SKU admin with a search, else the SKU's code.
    def get_autocomplete_fields(self, request):
        from mall.models import Sku

        sku_admin = self.admin_site._registry.get(Sku)
        return ["sku"] if sku_admin is not None and sku_admin.search_fields else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "sku" and "sku" not in self.get_autocomplete_fields(request):
            return SkuCodeField(required=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.base_fields})]
        return [(None, {"fields": self.base_fields}), (_("State"), {"fields": self.state_fields})]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if obj.state == State.DRAFT:
            return self.state_fields
        # Published: the quota is out of stock and the sale is in Redis; its terms no longer change.
        editable = {"title"}
        terms = [f for row in self.base_fields for f in (row if isinstance(row, tuple) else (row,))]
        return [f for f in terms if f not in editable] + self.state_fields

    def has_delete_permission(self, request, obj=None):
        # A published sale holds warehouse stock: it is ended, never deleted.
        if obj is not None and obj.state != State.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(o.state != State.DRAFT for o in objs):
            protected = [*protected, _("Published or ended sales (end them instead)")]
        return deleted, model_count, perms_needed, protected

    @admin.display(description=gettext_lazy("SKU"), ordering="sku__code")
    def sku_code(self, sale):
        return sale.sku.code

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_label(self, sale):
        if sale.frozen and sale.state == State.PUBLISHED:
            return badge("frozen", _("Frozen"), "danger")
        if sale.state == State.PUBLISHED:
            now = timezone.now()
            if now < sale.starts_at:
                return badge("upcoming", _("Upcoming"), "info")
            if now < sale.ends_at:
                return badge("live", _("Live"), "ok")
            return badge("over", _("Over (ending)"), "warn")
        return badge(sale.state, sale.get_state_display())

    @admin.display(description=gettext_lazy("window"), ordering="starts_at")
    def window(self, sale):
        start = timezone.localtime(sale.starts_at)
        end = timezone.localtime(sale.ends_at)
        same_day = start.date() == end.date()
        end_format = "TIME_FORMAT" if same_day else "SHORT_DATETIME_FORMAT"
        return f"{date_format(start, 'SHORT_DATETIME_FORMAT')} – {date_format(end, end_format)}"

    @admin.display(description=gettext_lazy("sold / quota"))
    def sold_of_quota(self, sale):
        return f"{sale.sold} / {sale.quota}"

    @admin.display(description=gettext_lazy("console"))
    def console_link(self, sale):
        return format_html('<a href="{}">{}</a>', self._url("console", sale.pk), _("Open console"))

    def _url(self, view: str, pk, *args) -> str:
        return reverse(
            f"admin:flashsale_flashsale_{view}", args=[pk, *args], current_app=self.admin_site.name
        )

    # --- the console -------------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:object_id>/console/", wrap(self.console_view), name="flashsale_flashsale_console"),
            path(
                "<int:object_id>/console/figures/",
                wrap(self.console_figures_view),
                name="flashsale_flashsale_console_figures",
            ),
            path(
                "<int:object_id>/console/<slug:action>/",
                wrap(require_POST(self.console_action_view)),
                name="flashsale_flashsale_console_action",
            ),
            *super().get_urls(),
        ]

    def _sale_for(self, request, object_id: int, *, change: bool = False) -> FlashSale:
        sale = sale_for_console(sale_id=object_id)
        if sale is None:
            raise Http404(_("No such flash sale."))
        allowed = (
            self.has_change_permission(request, sale) if change else self.has_view_permission(request, sale)
        )
        if not allowed:
            raise PermissionDenied
        return sale

    def _figures_context(self, request, sale: FlashSale) -> dict:
        return {
            "sale": sale,
            "figures": sale_figures(sale=sale),
            "reminders": reminder_count(sale=sale),
            "figures_url": self._url("console_figures", sale.pk),
            "now": timezone.now(),
        }

    def console_view(self, request, object_id: int):
        sale = self._sale_for(request, object_id)
        can_change = self.has_change_permission(request, sale)
        buttons = [
            {
                "name": a.name,
                "label": a.label,
                "danger": a.danger,
                "url": self._url("console_action", sale.pk, a.name),
            }
            for a in ACTIONS.values()
            if can_change and sale.state in a.states
        ]
        context = {
            **self.admin_site.each_context(request),
            **self._figures_context(request, sale),
            "opts": self.opts,
            "title": _("Console: %(sale)s") % {"sale": sale},
            "subtitle": None,
            "buttons": buttons,
            "change_url": self._url("change", sale.pk),
            "has_view_permission": True,
        }
        return render(request, "admin/flashsale/console.html", context)

    def console_figures_view(self, request, object_id: int):
        sale = self._sale_for(request, object_id)
        return render(
            request, "admin/flashsale/partials/console_figures.html", self._figures_context(request, sale)
        )

    def console_action_view(self, request, object_id: int, action: str):
        sale = self._sale_for(request, object_id, change=True)
        if action not in ACTIONS:
            raise Http404(_("No such action."))
        sale_actions_run(self, request, [sale], action)
        return HttpResponseRedirect(self._url("console", sale.pk))
