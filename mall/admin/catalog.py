"""The catalog in admin: brands with their authorization record, the category tree, tax categories with
the cross-border rate they give, warehouses, and products with their SKUs, photos and stock. Names,
descriptions and countries are edited in every language (``TranslationAdmin``: one field per language,
mall/translation.py); saving one reindexes the products it names (mall.receivers).

Stock numbers on these pages are read-only: they move only through the ledger (mall.services.stock).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from core.admintools import ChangedFieldsOnlyAdmin, ThroughInline, ToolkitInline, badge, related_total
from mall.admin.display import money, rate
from mall.admin.forms import BrandForm, CategoryForm, ProductImageForm, SkuInlineForm, StockThresholdForm
from mall.models import Brand, Category, Product, ProductImage, Sku, StockRecord, TaxCategory, Warehouse
from mall.selectors.stock import stock_records_with_availability
from mall.services.catalog import product_refresh_min_price


def _units_on_hand(**outer):
    """A subquery summing on_hand over the stock records matching ``outer`` (field -> OuterRef)."""
    rows = (
        StockRecord.objects.filter(**outer)
        .order_by()
        .values(*outer.keys())
        .annotate(units=Sum("on_hand"))
        .values("units")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@admin.register(Brand)
class BrandAdmin(ChangedFieldsOnlyAdmin, TranslationAdmin):
    form = BrandForm
    list_display = [
        "name",
        "country",
        "authorization",
        "authorization_ref",
        "authorization_valid",
        "products",
    ]
    list_filter = ["authorization", "country"]
    search_fields = ["name_en", "name_zh_hans", "authorization_ref"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "country", "description", "logo"]}),
        (
            _("Authorization record"),
            {
                "fields": ["authorization", "authorization_ref", "authorized_until"],
                "description": _("Shown to shoppers as the goods' provenance."),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("authorization valid"))
    def authorization_valid(self, brand):
        if brand.authorized_until is None:
            return badge("open", _("No end date"))
        if brand.authorized_until < timezone.localdate():
            return badge("expired", _("Expired %(date)s") % {"date": brand.authorized_until}, "danger")
        return badge("valid", _("Until %(date)s") % {"date": brand.authorized_until}, "ok")

    @admin.display(description=_("products"), ordering="product_count")
    def products(self, brand):
        return brand.product_count


@admin.register(Category)
class CategoryAdmin(ChangedFieldsOnlyAdmin, TranslationAdmin):
    form = CategoryForm
    list_display = ["tree_name", "parent", "slug", "position", "icon", "products"]
    list_display_links = ["tree_name"]
    list_filter = [("parent", admin.EmptyFieldListFilter)]
    list_select_related = ["parent__parent"]
    search_fields = ["name_en", "name_zh_hans", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    ordering = ["parent__position", "parent_id", "position", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.select_related("parent").order_by("position", "id")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("category"), ordering="name")
    def tree_name(self, category):
        # The row comes with its parent and grandparent (list_select_related); deeper levels are elided.
        names, parent = [category.name], category.parent
        if parent is not None:
            names.insert(0, parent.name)
            if parent.parent_id is not None:
                names.insert(0, parent.parent.name)
                if parent.parent.parent_id is not None:
                    names.insert(0, "…")
        return " › ".join(names)

    @admin.display(description=_("products"), ordering="product_count")
    def products(self, category):
        return category.product_count


@admin.register(TaxCategory)
class TaxCategoryAdmin(ChangedFieldsOnlyAdmin):
    list_display = ["name", "vat", "consumption", "cross_border", "products"]
    fields = ["name", "vat_rate", "consumption_rate", "cross_border"]
    readonly_fields = ["cross_border"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(product_count=Count("products"))

    @admin.display(description=_("VAT rate"), ordering="vat_rate")
    def vat(self, tax):
        return rate(tax.vat_rate)

    @admin.display(description=_("consumption tax rate"), ordering="consumption_rate")
    def consumption(self, tax):
        return rate(tax.consumption_rate)

    @admin.display(description=_("cross-border rate (buyers pay)"))
    def cross_border(self, tax):
        if tax.pk is None:
            return _("Computed when saved: (consumption + VAT) / (1 − consumption) × 70%.")
        return rate(tax.cross_border_rate)

    @admin.display(description=_("products"), ordering="product_count")
    def products(self, tax):
        return tax.product_count


@admin.register(Warehouse)
class WarehouseAdmin(ChangedFieldsOnlyAdmin):
    list_display = ["code", "name", "kind", "customs_district", "supervision_mode", "units"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(units_on_hand=_units_on_hand(warehouse=OuterRef("pk")))

    @admin.display(description=_("units on hand"), ordering="units_on_hand")
    def units(self, warehouse):
        return warehouse.units_on_hand


# --- products ----------------------------------------------------------------------------------------------


class SkuInline(ToolkitInline, TranslationTabularInline):
    model = Sku
    classes = ["admin-inline", "mall-sku-inline"]
    form = SkuInlineForm
    fields = ["code", "name", "price", "barcode", "weight_grams", "is_active"]
    extra = 0
    # SKUs are referred to by orders and stock: switch one off (is_active) instead of deleting it.
    can_delete = False


class StockInline(ThroughInline):
    """Stock of every SKU in every warehouse; only the low-stock threshold is edited here."""

    model = StockRecord
    through_lookup = "sku__product"
    form = StockThresholdForm
    verbose_name = _("stock record")
    verbose_name_plural = _("stock (per SKU and warehouse; changes only through the ledger)")
    fields = [
        "sku_code",
        "warehouse_code",
        "on_hand",
        "allocated",
        "reserved",
        "available",
        "low_stock_threshold",
        "record_link",
    ]
    readonly_fields = [
        "sku_code",
        "warehouse_code",
        "on_hand",
        "allocated",
        "reserved",
        "available",
        "record_link",
    ]

    def get_queryset(self, request):
        return stock_records_with_availability(
            super().get_queryset(request).select_related("sku", "warehouse")
        ).order_by("sku__price", "sku_id", "warehouse__code")

    @admin.display(description=_("SKU"))
    def sku_code(self, record):
        return f"{record.sku.code} · {record.sku.name}"

    @admin.display(description=_("warehouse"))
    def warehouse_code(self, record):
        return record.warehouse.code

    @admin.display(description=_("reserved"))
    def reserved(self, record):
        return record.reserved

    @admin.display(description=_("ledger"))
    def record_link(self, record):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:mall_stockrecord_change", args=[record.pk]),
            _("Movements and adjustments"),
        )

    @admin.display(description=_("available"))
    def available(self, record):
        if record.available < record.low_stock_threshold:
            return badge("low", record.available, "danger")
        return record.available


class ProductImageInline(ToolkitInline):
    model = ProductImage
    form = ProductImageForm
    fields = ["image", "position", "size"]
    readonly_fields = ["size"]
    extra = 0

    @admin.display(description=_("pixels"))
    def size(self, image):
        return f"{image.width} × {image.height}" if image.pk else "—"


@admin.register(Product)
class ProductAdmin(ChangedFieldsOnlyAdmin, TranslationAdmin):
    list_display = [
        "name",
        "brand",
        "category",
        "price_from",
        "sku_count",
        "units",
        "is_cross_border",
        "is_active",
    ]
    list_filter = ["is_active", "is_cross_border", "brand", "category", "tax_category"]
    list_select_related = ["brand", "category"]
    search_fields = ["name_en", "name_zh_hans", "slug", "skus__code", "skus__barcode"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkuInline, StockInline, ProductImageInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "brand", "category", "tax_category", "description"]}),
        (_("Sale"), {"fields": ["is_active", "is_cross_border", "price_from", "sales_count", "created_at"]}),
    ]
    readonly_fields = ["price_from", "sales_count", "created_at"]

    class Media:
        css = {"all": ["css/mall-admin.css"]}  # the SKU rows' input widths

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                skus_count=related_total(
                    Sku.objects.filter(product=OuterRef("pk")), group_by="product", total=Count("pk")
                ),
                units_on_hand=_units_on_hand(sku__product=OuterRef("pk")),
            )
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The listing price follows the cheapest active SKU; the service recomputes it from the rows.
        product_refresh_min_price(product_id=form.instance.pk)

    @admin.display(description=_("price from"), ordering="min_price")
    def price_from(self, product):
        return money(product.min_price) if product.pk else "—"

    @admin.display(description=_("SKUs"), ordering="skus_count")
    def sku_count(self, product):
        return product.skus_count

    @admin.display(description=_("units on hand"), ordering="units_on_hand")
    def units(self, product):
        return product.units_on_hand
