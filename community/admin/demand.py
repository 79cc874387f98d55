"""Operators: the demand view (community buzz against sales and stock).

It hangs off the buzz table's admin entry: ``ProductBuzz``'s changelist is replaced by the demand view,
so it is listed on the admin index under Community (as "Demand: buzz, sales and stock") without a proxy
model, which would need a migration. Any staff member may read it; nobody edits buzz rows by hand (the
hourly task rewrites them from the raw rows).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import ProductBuzz
from community.selectors.demand import PERIODS, Hint, demand_overview, period_parse
from core.admintools import ReadOnlyAdmin

# The entry's name on the admin index. Set at runtime on purpose: a Meta change would be a migration for
# a label, and migrations read Meta's original attributes, not this one.
ProductBuzz._meta.verbose_name = gettext_lazy("demand view")
ProductBuzz._meta.verbose_name_plural = gettext_lazy("Demand: buzz, sales and stock")


def _reverse_or_blank(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # that app's admin is not installed here
        return ""


def demand_links(demand) -> None:
    """Attach the operator's links to every row: product/brand admin pages, the shop page, and a flash
    sale prefilled for the product's first SKU (when the flash-sale app's admin is installed)."""
    flash_add = _reverse_or_blank("admin:flashsale_flashsale_add")
    for row in demand.products:
        row.admin_url = _reverse_or_blank("admin:mall_product_change", row.product_id)
        row.brand_admin_url = _reverse_or_blank("admin:mall_brand_change", row.brand_id)
        row.shop_url = reverse("mall:product", args=[row.slug]) if row.is_active else ""
        row.flash_sale_url = (
            f"{flash_add}?{urlencode({'sku': row.sku_code, 'title': row.name[:60]})}"
            if flash_add and row.sku_code and row.is_active
            else ""
        )
    for row in demand.brands:
        row.admin_url = _reverse_or_blank("admin:mall_brand_change", row.brand_id)
    for topic in demand.unsold_topics:
        topic.url = reverse("community:topic", args=[topic.name])
        for sample in topic.samples:
            sample.url = reverse("community:note", args=[sample.id])


@admin.register(ProductBuzz)
class DemandAdmin(ReadOnlyAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def get_urls(self):
        # Only the list: there is no buzz row to open, add or edit.
        return super().get_urls()[:1]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = period_parse(request.GET.get("period"))
        demand = demand_overview(period=period)
        demand_links(demand)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Demand: buzz, sales and stock"),
            "subtitle": None,
            "demand": demand,
            "periods": [
                {"days": days, "url": f"?period={days}", "active": days == period} for days in PERIODS
            ],
            "hints": Hint,
            "has_view_permission": True,
            **(extra_context or {}),
        }
        return render(request, "admin/community/demand.html", context)
