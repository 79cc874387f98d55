"""The operators' console for flash sales: create a sale, then publish, warm, freeze, resume, end and
reconcile it through the services; a live page per sale shows Redis and the database side by side.

Nothing here writes stock or sale counters: every button and list action calls one service, and a
refused action (not enough stock, Redis away, wrong state) is an error message with nothing changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin, messages
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

from core.errors import DomainError
from flashsale.forms import FlashSaleForm, SkuCodeField
from flashsale.models import FlashSale, Reminder
from flashsale.selectors.figures import sale_figures
from flashsale.selectors.reminders import reminder_count
from flashsale.selectors.sales import sale_for_console
from flashsale.services import sales as sale_services

State = FlashSale.State


# --- what each button does ---------------------------------------------------------------------------------


def _publish(request, sale: FlashSale) -> tuple[str, str]:
    sale = sale_services.sale_publish(sale=sale, actor=request.user)
    return messages.SUCCESS, _("Published “%(sale)s”: %(n)d units moved out of %(w)s into the sale.") % {
        "sale": sale,
        "n": sale.quota,
        "w": sale.warehouse,
    }


def _warm(request, sale: FlashSale) -> tuple[str, str]:
    sale_services.sale_warm(sale=sale)
    return messages.SUCCESS, _("Loaded “%(sale)s” into Redis: buyers can be admitted.") % {"sale": sale}


def _freeze(request, sale: FlashSale) -> tuple[str, str]:
    if sale.state != State.PUBLISHED:
        raise DomainError(_("Only a published sale can be frozen."))
    sale_services.sale_freeze(sale=sale)
    return messages.WARNING, _("Froze “%(sale)s”: nobody is admitted until it is resumed.") % {"sale": sale}


def _resume(request, sale: FlashSale) -> tuple[str, str]:
    sale_services.sale_resume(sale=sale)
    return messages.SUCCESS, _("Rebuilt “%(sale)s” in Redis from the database and resumed admission.") % {
        "sale": sale
    }


def _end(request, sale: FlashSale) -> tuple[str, str]:
    quota_before = sale.quota
    sale = sale_services.sale_end(sale=sale, actor=request.user)
    return messages.SUCCESS, _("Ended “%(sale)s”: %(n)d unsold units went back to %(w)s.") % {
        "sale": sale,
        "n": quota_before - sale.quota,
        "w": sale.warehouse,
    }


def _reconcile(request, sale: FlashSale) -> tuple[str, str]:
    if sale.state == State.DRAFT:
        raise DomainError(_("A draft sale has nothing to reconcile: publish it first."))
    f = sale_services.sale_reconcile(sale=sale)
    numbers = {
        "sale": sale,
        "quota": f.quota,
        "redis": "?" if f.redis_stock is None else f.redis_stock,
        "waiting": "?" if f.waiting is None else f.waiting,
        "live": f.live_orders,
        "drift": "?" if f.drift is None else f.drift,
    }
    if f.drift == 0:
        return messages.SUCCESS, _(
            "“%(sale)s” balances: quota %(quota)s = Redis stock %(redis)s + waiting %(waiting)s "
            "+ live orders %(live)s."
        ) % numbers
    return messages.ERROR, _(
        "“%(sale)s” drifts by %(drift)s: quota %(quota)s, Redis stock %(redis)s, waiting %(waiting)s, "
        "live orders %(live)s."
    ) % numbers


@dataclass(frozen=True)
class SaleAction:
    name: str
    label: str
    run: Callable
    states: tuple[str, ...]  # the sale states in which the console offers the button
    danger: bool = False


ACTIONS = {
    a.name: a
    for a in [
        SaleAction("publish", gettext_lazy("Publish"), _publish, (State.DRAFT,)),
        SaleAction("warm", gettext_lazy("Warm (load into Redis)"), _warm, (State.PUBLISHED,)),
        SaleAction("freeze", gettext_lazy("Freeze"), _freeze, (State.PUBLISHED,), danger=True),
        SaleAction("resume", gettext_lazy("Resume (rebuild)"), _resume, (State.PUBLISHED,)),
        SaleAction("end", gettext_lazy("End now"), _end, (State.PUBLISHED,), danger=True),
        SaleAction("reconcile", gettext_lazy("Reconcile"), _reconcile, (State.PUBLISHED, State.ENDED)),
    ]
}


def sale_action_run(request, sale: FlashSale, name: str) -> bool:
    """Run one action on one sale and tell the operator what happened; False when it was refused."""
    try:
        level, text = ACTIONS[name].run(request, sale)
    except DomainError as exc:
        messages.error(request, _("“%(sale)s”: %(error)s") % {"sale": sale, "error": exc.message})
        return False
    messages.add_message(request, level, text)
    return True


def _list_action(name: str):
    def action(modeladmin, request, queryset):
        for sale in queryset.select_related("warehouse").order_by("pk"):
            sale_action_run(request, sale, name)

    action.__name__ = f"sale_{name}"
    return admin.action(description=ACTIONS[name].label, permissions=["change"])(action)


# --- the admin -----------------------------------------------------------------------------------------------


@admin.register(FlashSale)
class FlashSaleAdmin(admin.ModelAdmin):
    form = FlashSaleForm
    list_display = ["__str__", "sku_code", "state_label", "window", "sold_of_quota", "price", "console_link"]
    list_filter = ["state", "frozen", "is_cross_border", "warehouse"]
    list_select_related = ["sku__product", "warehouse"]
    search_fields = ["title", "sku__code", "sku__product__name"]
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
            return format_html('<strong class="fs-frozen">{}</strong>', _("Frozen"))
        if sale.state == State.PUBLISHED:
            now = timezone.now()
            if now < sale.starts_at:
                return _("Upcoming")
            if now < sale.ends_at:
                return format_html('<strong class="fs-live">{}</strong>', _("Live"))
            return _("Over (ending)")
        return sale.get_state_display()

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
        return render(request, "admin/flashsale/console_figures.html", self._figures_context(request, sale))

    def console_action_view(self, request, object_id: int, action: str):
        sale = self._sale_for(request, object_id, change=True)
        if action not in ACTIONS:
            raise Http404(_("No such action."))
        sale_action_run(request, sale, action)
        return HttpResponseRedirect(self._url("console", sale.pk))


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["sale", "user", "created_at", "notified_at"]
    list_filter = [("notified_at", admin.EmptyFieldListFilter)]
    list_select_related = ["sale", "user"]
    search_fields = ["user__username", "sale__title"]
    fields = ["sale", "user", "created_at", "notified_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
