"""Stock in admin: records per SKU and warehouse (read-only numbers, a low-stock list, adjustments with a
required reason through ``stock_adjust``), the ledger (read-only), and inbound shipments moved along by
the inbound services (advance, receive with counted quantities, put away onto the ledger)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admintools import (
    ChangedFieldsOnlyAdmin,
    ObjectActionsMixin,
    ReadOnlyAdmin,
    ToolkitInline,
    action_done,
    action_page,
    badge,
    confirmed,
    offered_actions,
    related_total,
    run_action,
)
from mall.admin.forms import InboundLineForm, InboundShipmentForm, ReceiveForm, StockAdjustForm
from mall.models import InboundLine, InboundShipment, StockMovement, StockRecord
from mall.selectors.stock import stock_records_with_availability
from mall.services import inbound as inbound_services
from mall.services.stock import stock_adjust

State = InboundShipment.State
SHIPMENT_TONES = {
    InboundShipment.State.CREATED: "",
    InboundShipment.State.IN_TRANSIT: "info",
    InboundShipment.State.ARRIVED: "info",
    InboundShipment.State.DECLARED: "info",
    InboundShipment.State.INSPECTED: "warn",
    InboundShipment.State.PUT_AWAY: "ok",
}


def _record_label(record: StockRecord) -> str:
    return f"{record.sku.code} @ {record.warehouse.code}"


# --- stock records -----------------------------------------------------------------------------------------


class LowStockFilter(admin.SimpleListFilter):
    title = gettext_lazy("stock level")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return [
            ("low", _("Low stock (available below threshold)")),
            ("out", _("Sold out (nothing available)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "low":
            return queryset.filter(available__lt=F("low_stock_threshold"))
        if self.value() == "out":
            return queryset.filter(available__lte=0)
        return queryset


@admin.register(StockRecord)
class StockRecordAdmin(ObjectActionsMixin, ChangedFieldsOnlyAdmin):
    list_display = [
        "sku_code",
        "product",
        "warehouse_code",
        "on_hand",
        "allocated",
        "reserved",
        "available",
        "low_stock_threshold",
    ]
    list_display_links = ["sku_code"]
    list_editable = ["low_stock_threshold"]
    list_filter = [LowStockFilter, "warehouse"]
    list_select_related = ["sku__product", "warehouse"]
    search_fields = ["sku__code", "sku__barcode", "sku__product__name_en", "sku__product__name_zh_hans"]
    ordering = ["warehouse__code", "sku__code", "id"]
    fields = [
        "sku_code",
        "product",
        "warehouse",
        "on_hand",
        "allocated",
        "reserved",
        "available",
        "low_stock_threshold",
        "recent_movements",
    ]
    readonly_fields = [f for f in fields if f != "low_stock_threshold"]
    actions = ["adjust_stock"]

    def get_queryset(self, request):
        return stock_records_with_availability(super().get_queryset(request))

    def object_label(self, record):
        # A record's own name is "sku_id@warehouse_id"; operators read codes.
        return _record_label(record)

    def object_actions(self, request, record):
        if not self.has_change_permission(request, record):
            return []
        return [("adjust_stock", _("Adjust stock…"))]

    def has_add_permission(self, request):
        # Records come into being when goods are put away (or a flash sale returns units).
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("SKU"), ordering="sku__code")
    def sku_code(self, record):
        return record.sku.code

    @admin.display(description=gettext_lazy("product"), ordering="sku__product__name")
    def product(self, record):
        return f"{record.sku.product.name} · {record.sku.name}"

    @admin.display(description=gettext_lazy("warehouse"), ordering="warehouse__code")
    def warehouse_code(self, record):
        return record.warehouse.code

    @admin.display(description=gettext_lazy("reserved"), ordering="reserved")
    def reserved(self, record):
        return record.reserved

    @admin.display(description=gettext_lazy("available"), ordering="available")
    def available(self, record):
        if record.available < record.low_stock_threshold:
            return badge("low", record.available, "danger")
        return record.available

    @admin.display(description=gettext_lazy("ledger"))
    def recent_movements(self, record):
        rows = list(record.movements.select_related("actor").order_by("-id")[:10])
        link = format_html(
            '<a href="{}?stock_record__id__exact={}">{}</a>',
            reverse("admin:mall_stockmovement_changelist"),
            record.pk,
            _("All movements of this record"),
        )
        if not rows:
            return format_html("{}<br>{}", _("No movements yet."), link)
        table = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    date_format(timezone.localtime(m.created_at), "SHORT_DATETIME_FORMAT"),
                    m.get_kind_display(),
                    f"{m.on_hand_delta:+d}" if m.on_hand_delta else "",
                    f"{m.allocated_delta:+d}" if m.allocated_delta else "",
                    m.source,
                    m.reason,
                )
                for m in rows
            ),
        )
        return format_html(
            '<table class="admin-mini-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>{}",
            _("when"),
            _("kind"),
            _("on hand"),
            _("allocated"),
            _("source"),
            _("reason"),
            table,
            link,
        )

    @admin.action(description=gettext_lazy("Adjust stock (with a reason)…"), permissions=["change"])
    def adjust_stock(self, request, queryset):
        records = list(queryset.order_by("warehouse__code", "sku__code", "pk"))
        form = StockAdjustForm(request.POST if confirmed(request) else None, records=records)
        if confirmed(request) and form.is_valid():
            reason = form.cleaned_data["reason"]

            def adjust(pair):
                record, delta = pair
                movement = stock_adjust(record=record, delta=delta, reason=reason, actor=request.user)
                return _("%(record)s: on hand %(before)d → %(after)d (%(delta)+d).") % {
                    "record": _record_label(record),
                    "before": movement.on_hand_after - delta,
                    "after": movement.on_hand_after,
                    "delta": delta,
                }

            run_action(self, request, form.changes(), adjust, label=lambda pair: _record_label(pair[0]))
            return action_done(request)
        return action_page(
            self,
            request,
            action="adjust_stock",
            objects=records,
            form=form,
            title=_("Adjust stock"),
            intro=_(
                "Each change is a new row on the stock ledger with your name and the reason; the numbers "
                "themselves are never edited. A decrease can't take units that are allocated to orders."
            ),
            headers=[_("SKU"), _("warehouse"), _("on hand"), _("allocated"), _("available"), _("change")],
            groups=[
                {
                    "title": None,
                    "rows": [
                        {
                            "label": _record_label(r),
                            "cells": [
                                f"{r.sku.code} · {r.sku.product.name} · {r.sku.name}",
                                r.warehouse.code,
                                r.on_hand,
                                r.allocated,
                                r.available,
                            ],
                            "field": form.row_field(r),
                        }
                        for r in records
                    ],
                }
            ],
            submit_label=_("Adjust"),
        )


# --- the ledger --------------------------------------------------------------------------------------------


class SourceFilter(admin.SimpleListFilter):
    """Movements by the kind of document that caused them (the part of ``source`` before the colon)."""

    title = gettext_lazy("source document")
    parameter_name = "source"
    PREFIXES = ("order", "inbound", "flashsale")

    def lookups(self, request, model_admin):
        return [
            ("order", _("Orders")),
            ("inbound", _("Inbound shipments")),
            ("admin", _("Adjustments in admin")),
            ("flashsale", _("Flash sales")),
            ("other", _("Other")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in self.PREFIXES:
            return queryset.filter(source__startswith=f"{value}:")
        if value == "admin":
            return queryset.filter(source="admin")
        if value == "other":
            known = Q(source="admin")
            for prefix in self.PREFIXES:
                known |= Q(source__startswith=f"{prefix}:")
            return queryset.exclude(known)
        return queryset


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "sku_code",
        "warehouse",
        "on_hand_change",
        "allocated_change",
        "source",
        "reason",
        "actor",
    ]
    list_filter = ["kind", "stock_record__warehouse", SourceFilter]
    list_select_related = ["stock_record__sku", "stock_record__warehouse", "actor"]
    search_fields = ["=source", "stock_record__sku__code", "reason"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    fields = [
        "created_at",
        "kind",
        "stock_record",
        "on_hand_delta",
        "allocated_delta",
        "quantity",
        "on_hand_after",
        "allocated_after",
        "actor",
        "source",
        "reason",
    ]
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None):
        # The stock record page links here with its own id.
        if lookup == "stock_record__id__exact":
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=gettext_lazy("SKU"), ordering="stock_record__sku__code")
    def sku_code(self, movement):
        return movement.stock_record.sku.code

    @admin.display(description=gettext_lazy("warehouse"), ordering="stock_record__warehouse__code")
    def warehouse(self, movement):
        return movement.stock_record.warehouse.code

    @admin.display(description=gettext_lazy("on hand"), ordering="on_hand_delta")
    def on_hand_change(self, movement):
        return self._change(movement.on_hand_delta, movement.on_hand_after)

    @admin.display(description=gettext_lazy("allocated"), ordering="allocated_delta")
    def allocated_change(self, movement):
        return self._change(movement.allocated_delta, movement.allocated_after)

    @staticmethod
    def _change(delta: int, after: int):
        # "+10 → 10": what moved and where it left the record; a reservation moves neither number.
        if not delta:
            return format_html('<span class="admin-quiet">{}</span>', after)
        return format_html('<span class="admin-nowrap">{} → {}</span>', f"{delta:+d}", after)


# --- inbound shipments -------------------------------------------------------------------------------------


class InboundLineInline(ToolkitInline):
    model = InboundLine
    form = InboundLineForm
    fields = ["sku", "quantity_expected", "quantity_received"]
    readonly_fields = ["quantity_received"]
    extra = 1

    @staticmethod
    def _open(obj) -> bool:
        # Lines are the paperwork of a shipment being prepared; once it travels they are what was sent.
        return obj is None or obj.state == InboundShipment.State.CREATED

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if obj is None else 0

    def has_add_permission(self, request, obj=None):
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._open(obj) and super().has_delete_permission(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku__product")


@admin.register(InboundShipment)
class InboundShipmentAdmin(ObjectActionsMixin, ChangedFieldsOnlyAdmin):
    form = InboundShipmentForm
    list_display = [
        "reference",
        "supplier",
        "origin_country",
        "warehouse",
        "state_badge",
        "line_count",
        "units_expected",
        "units_received",
        "updated_at",
    ]
    list_filter = ["state", "warehouse"]
    list_select_related = ["warehouse"]
    search_fields = ["reference", "supplier"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    inlines = [InboundLineInline]
    actions = ["advance_state", "receive", "put_away"]

    def get_queryset(self, request):
        lines = InboundLine.objects.filter(shipment=OuterRef("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(
                lines_count=related_total(lines, group_by="shipment", total=Count("pk")),
                expected_units=related_total(lines, group_by="shipment", total=Sum("quantity_expected")),
                received_units=Subquery(
                    lines.order_by()
                    .values("shipment")
                    .annotate(total=Sum("quantity_received"))
                    .values("total"),
                    output_field=IntegerField(),
                ),
            )
        )

    def get_fields(self, request, obj=None):
        return [
            "reference",
            "supplier",
            "origin_country",
            "warehouse",
            "state_badge",
            "created_at",
            "updated_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["state_badge", "created_at", "updated_at"]
        if obj is not None and obj.state != InboundShipment.State.CREATED:
            readonly.append("warehouse")
        return readonly

    def get_actions(self, request):
        actions = super().get_actions(request)
        # Shipments that entered stock are records of the ledger's sources: never deleted in bulk.
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.state != InboundShipment.State.CREATED:
            return False
        return super().has_delete_permission(request, obj)

    def object_actions(self, request, shipment):
        if not self.has_change_permission(request, shipment):
            return []
        offered = {
            "advance_state": shipment.state in inbound_services.NEXT,
            "receive": shipment.state in (State.ARRIVED, State.DECLARED, State.INSPECTED),
            "put_away": shipment.state == State.INSPECTED,
        }
        labels = {
            "advance_state": _("Advance state"),
            "receive": _("Receive…"),
            "put_away": _("Put away"),
        }
        return offered_actions(offered, labels)

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, shipment):
        if shipment.pk is None:
            return InboundShipment.State.CREATED.label
        return badge(shipment.state, shipment.get_state_display(), SHIPMENT_TONES.get(shipment.state, ""))

    @admin.display(description=gettext_lazy("lines"), ordering="lines_count")
    def line_count(self, shipment):
        return shipment.lines_count

    @admin.display(description=gettext_lazy("units expected"), ordering="expected_units")
    def units_expected(self, shipment):
        return shipment.expected_units

    @admin.display(description=gettext_lazy("units counted"), ordering="received_units")
    def units_received(self, shipment):
        return "—" if shipment.received_units is None else shipment.received_units

    @admin.action(
        description=gettext_lazy("Advance state (in transit → arrived → declared → inspected)"),
        permissions=["change"],
    )
    def advance_state(self, request, queryset):
        def advance(shipment):
            shipment = inbound_services.inbound_advance(shipment=shipment, actor=request.user)
            return _("%(ref)s is now “%(state)s”.") % {
                "ref": shipment.reference,
                "state": shipment.get_state_display(),
            }

        run_action(self, request, queryset.order_by("pk"), advance)
        return action_done(request)

    @admin.action(description=gettext_lazy("Receive: enter counted quantities…"), permissions=["change"])
    def receive(self, request, queryset):
        shipments = list(
            queryset.select_related("warehouse")
            .prefetch_related(
                Prefetch("lines", queryset=InboundLine.objects.select_related("sku__product").order_by("pk"))
            )
            .order_by("pk")
        )
        form = ReceiveForm(request.POST if confirmed(request) else None, shipments=shipments)
        if confirmed(request) and form.is_valid():

            def receive(shipment):
                counts = form.counts(shipment)
                inbound_services.inbound_receive(shipment=shipment, received=counts, actor=request.user)
                expected = sum(line.quantity_expected for line in shipment.lines.all())
                counted = sum(counts.values())
                return _("%(ref)s: counted %(counted)d of %(expected)d expected units.") % {
                    "ref": shipment.reference,
                    "counted": counted,
                    "expected": expected,
                }

            run_action(self, request, shipments, receive)
            return action_done(request)
        return action_page(
            self,
            request,
            action="receive",
            objects=shipments,
            form=form,
            title=_("Receive inbound shipments"),
            intro=_(
                "Enter the units counted per line. Stock changes only when the shipment is put away, from "
                "these counts; a shipment can be counted once it has arrived."
            ),
            headers=[_("SKU"), _("product"), _("expected"), _("counted")],
            groups=[
                {
                    "title": _("%(ref)s from %(supplier)s to %(warehouse)s — %(state)s")
                    % {
                        "ref": s.reference,
                        "supplier": s.supplier,
                        "warehouse": s.warehouse.code,
                        "state": s.get_state_display(),
                    },
                    "rows": [
                        {
                            "label": f"{s.reference} {line.sku.code}",
                            "cells": [
                                line.sku.code,
                                f"{line.sku.product.name} · {line.sku.name}",
                                line.quantity_expected,
                            ],
                            "field": form.row_field(line),
                        }
                        for line in s.lines.all()
                    ],
                }
                for s in shipments
            ],
            submit_label=_("Record the counts"),
        )

    @admin.action(description=gettext_lazy("Put away into stock (writes the ledger)"), permissions=["change"])
    def put_away(self, request, queryset):
        def put_away(shipment):
            inbound_services.inbound_put_away(shipment=shipment, actor=request.user)
            units = sum(line.units_to_put_away for line in shipment.lines.all())
            return _("%(ref)s put away: %(units)d units entered stock at %(warehouse)s.") % {
                "ref": shipment.reference,
                "units": units,
                "warehouse": shipment.warehouse.code,
            }

        run_action(self, request, queryset.select_related("warehouse").order_by("pk"), put_away)
        return action_done(request)
