"""Orders and customs in admin.

An order is never edited here: its page is read-only (lines, the timeline, payments and refunds), and
everything an operator does to it is an action that calls the same service as the site and the API:
ship with a tracking number (``order_ship``), refund (``order_refund``), receive a return
(``order_receive_return``), cancel an unpaid order (``order_cancel``). The purchaser's ID number is shown
masked, and only masked, everywhere.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import OuterRef, Sum
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.idnumbers import real_name_mask
from core.admintools import (
    ObjectActionsMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    ThroughInline,
    action_done,
    action_page,
    badge,
    confirmed,
    offered_actions,
    related_total,
    run_action,
    titled,
)
from mall.admin.display import money, rate, when
from mall.admin.forms import ReasonForm, ShipForm
from mall.carriers import carrier_label
from mall.models import CustomsDeclaration, Order, OrderEvent, OrderLine, ParcelEvent, Payment, Refund
from mall.services import orders as order_services
from mall.services import payments as payment_services

S = Order.State
D = CustomsDeclaration.State

ORDER_TONES = {
    S.PENDING_PAYMENT: "warn",
    S.PAID: "info",
    S.DECLARED: "info",
    S.CLEARED: "ok",
    S.SHIPPED: "info",
    S.DELIVERED: "ok",
    S.COMPLETED: "ok",
    S.CANCELLED: "",
    S.REFUND_DUE: "danger",
    S.CUSTOMS_REJECTED: "danger",
    S.REFUNDED: "",
    S.RETURN_REQUESTED: "warn",
    S.RETURNED: "",
}
CUSTOMS_TONES = {D.SUBMITTED: "info", D.CLEARED: "ok", D.REJECTED: "danger"}


def order_state_badge(state: str):
    return badge(state, S(state).label if state in S.values else state, ORDER_TONES.get(state, ""))


# --- the order page's inlines ------------------------------------------------------------------------------


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    verbose_name_plural = gettext_lazy("lines (as sold)")
    fields = [
        "sku_code",
        "product_name",
        "sku_name",
        "warehouse",
        "price",
        "quantity",
        "tax",
        "total",
        "referral",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warehouse")

    @admin.display(description=gettext_lazy("unit price"))
    def price(self, line):
        return money(line.unit_price)

    @admin.display(description=gettext_lazy("tax"))
    def tax(self, line):
        return f"{money(line.tax_amount)} ({rate(line.tax_rate)})"

    @admin.display(description=gettext_lazy("line total"))
    def total(self, line):
        return money(line.line_total)


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name = gettext_lazy("event")
    verbose_name_plural = gettext_lazy("timeline")
    fields = ["created_at", "change", "said", "actor"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor").order_by("id")

    @admin.display(description=gettext_lazy("message"))
    def said(self, event):
        return event.text

    @admin.display(description=gettext_lazy("state"))
    def change(self, event):
        if not event.from_state:
            return order_state_badge(event.to_state)
        return format_html("{} → {}", order_state_badge(event.from_state), order_state_badge(event.to_state))


class ParcelEventInline(ReadOnlyInline):
    model = ParcelEvent
    verbose_name = gettext_lazy("parcel event")
    verbose_name_plural = gettext_lazy("parcel (as the carrier reports it)")
    fields = ["occurred_at", "code", "location", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-occurred_at", "-id")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["reference", "provider", "amount_display", "state", "payer", "created_at", "succeeded_at"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("amount"))
    def amount_display(self, payment):
        return money(payment.amount)

    @admin.display(description=gettext_lazy("payer"))
    def payer(self, payment):
        return real_name_mask(payment.payer_name) or "—"


class RefundInline(ThroughInline):
    model = Refund
    through_lookup = "payment__order"
    fields = ["payment_reference", "amount_display", "reason", "state", "reference", "created_at"]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payment").order_by("pk")

    @admin.display(description=gettext_lazy("payment"))
    def payment_reference(self, refund):
        return refund.payment.reference

    @admin.display(description=gettext_lazy("amount"))
    def amount_display(self, refund):
        return money(refund.amount)


# --- orders ------------------------------------------------------------------------------------------------


@admin.register(Order)
class OrderAdmin(ObjectActionsMixin, ReadOnlyAdmin):
    list_display = [
        "number",
        "buyer_username",
        "state_badge",
        "total_display",
        "line_count",
        "customs",
        "created_at",
        "tracking_number",
    ]
    list_filter = [
        "state",
        ("is_cross_border", titled(admin.BooleanFieldListFilter, gettext_lazy("cross-border"))),
        ("declaration__state", titled(admin.ChoicesFieldListFilter, gettext_lazy("customs"))),
    ]
    list_select_related = ["user", "declaration"]
    search_fields = ["number", "user__username", "tracking_number", "return_request__return_tracking_number"]
    date_hierarchy = "created_at"
    ordering = ["-id"]
    show_facets = admin.ShowFacets.ALWAYS
    inlines = [OrderLineInline, OrderEventInline, ParcelEventInline, PaymentInline, RefundInline]
    actions = ["ship", "refund", "approve_return", "receive_return", "cancel_unpaid"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "buyer_username",
                    "state_badge",
                    "is_cross_border",
                    "created_at",
                    "payment_deadline",
                    "paid_at",
                    "delivered_at",
                ]
            },
        ),
        (
            gettext_lazy("Money"),
            {"fields": ["subtotal_display", "tax_display", "shipping_display", "total_display"]},
        ),
        (
            gettext_lazy("Purchaser and delivery"),
            {"fields": ["purchaser", "ship_to_display", "carrier_display", "tracking_number", "shipped_at"]},
        ),
        (gettext_lazy("Customs and returns"), {"fields": ["customs_detail", "return_detail"]}),
    ]
    readonly_fields = [f for _name, options in fieldsets for f in options["fields"]]

    def get_queryset(self, request):
        items = related_total(
            OrderLine.objects.filter(order=OuterRef("pk")), group_by="order", total=Sum("quantity")
        )
        return super().get_queryset(request).annotate(item_count=items)

    # Nobody edits an order (ReadOnlyAdmin): its page is for reading, and changes are the actions below,
    # open to whoever may change orders (has_operate_permission).
    def object_actions(self, request, order):
        if not self.has_operate_permission(request):
            return []
        offered = {
            "ship": order.state == S.CLEARED or (not order.is_cross_border and order.state == S.PAID),
            "refund": order.state in (*payment_services.REFUNDABLE_STATES, S.RETURNED),
            "approve_return": order.state == S.RETURN_REQUESTED
            and getattr(getattr(order, "return_request", None), "approved_at", None) is None,
            "receive_return": order.state == S.RETURN_REQUESTED,
            "cancel_unpaid": order.state == S.PENDING_PAYMENT,
        }
        labels = {
            "ship": _("Ship…"),
            "refund": _("Refund…"),
            "approve_return": _("Approve return"),
            "receive_return": _("Receive return"),
            "cancel_unpaid": _("Cancel…"),
        }
        return offered_actions(offered, labels)

    # --- columns and fields ---

    @admin.display(description=gettext_lazy("buyer"), ordering="user__username")
    def buyer_username(self, order):
        return order.user.username

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, order):
        return order_state_badge(order.state)

    @admin.display(description=gettext_lazy("total"), ordering="total")
    def total_display(self, order):
        return money(order.total)

    @admin.display(description=gettext_lazy("items"), ordering="item_count")
    def line_count(self, order):
        return order.item_count

    @admin.display(description=gettext_lazy("customs"), ordering="declaration__state")
    def customs(self, order):
        if not order.is_cross_border:
            return _("Domestic")
        declaration = getattr(order, "declaration", None)
        if declaration is None:
            return "—"
        return badge(
            declaration.state, declaration.get_state_display(), CUSTOMS_TONES.get(declaration.state, "")
        )

    @admin.display(description=gettext_lazy("subtotal"))
    def subtotal_display(self, order):
        return money(order.subtotal)

    @admin.display(description=gettext_lazy("tax"))
    def tax_display(self, order):
        return money(order.tax_total)

    @admin.display(description=gettext_lazy("shipping"))
    def shipping_display(self, order):
        return money(order.shipping_total)

    @admin.display(description=gettext_lazy("purchaser (masked)"))
    def purchaser(self, order):
        if not order.buyer_name and not order.buyer_id_number:
            return "—"
        return f"{real_name_mask(order.buyer_name)} · {order.masked_id_number}"

    @admin.display(description=gettext_lazy("carrier"))
    def carrier_display(self, order):
        return carrier_label(order.carrier) or "—"

    @admin.display(description=gettext_lazy("ship to"))
    def ship_to_display(self, order):
        ship_to = order.ship_to or {}
        return format_html(
            "{} · {}<br>{} {}",
            ship_to.get("recipient", ""),
            ship_to.get("phone", ""),
            ship_to.get("address", ""),
            ship_to.get("postal_code", ""),
        )

    @admin.display(description=gettext_lazy("customs declaration"))
    def customs_detail(self, order):
        declaration = CustomsDeclaration.objects.filter(order=order).first()
        if declaration is None:
            return _("Not declared.") if order.is_cross_border else _("Domestic order: no declaration.")
        text = format_html(
            '{} <a href="{}">{}</a> · {} {}',
            badge(
                declaration.state, declaration.get_state_display(), CUSTOMS_TONES.get(declaration.state, "")
            ),
            reverse("admin:mall_customsdeclaration_change", args=[declaration.pk]),
            _("waybill %(waybill)s") % {"waybill": declaration.waybill},
            _("submitted"),
            when(declaration.submitted_at),
        )
        if declaration.rejection_reason:
            text = format_html("{}<br>{}: {}", text, _("Rejected because"), declaration.rejection_reason)
        return text

    @admin.display(description=gettext_lazy("return"))
    def return_detail(self, order):
        request = getattr(order, "return_request", None) if order.pk else None
        if request is None:
            return "—"
        received = when(request.received_at) if request.received_at else _("not yet")
        approved = when(request.approved_at) if request.approved_at else _("not yet")
        text = format_html(
            "{} ({} {}) · {} {} · {} {}",
            request.reason,
            _("asked"),
            when(request.requested_at),
            _("approved"),
            approved,
            _("received"),
            received,
        )
        if request.return_tracking_number:
            text = format_html(
                "{}<br>{}: {} {} ({})",
                text,
                _("Sent back by the buyer"),
                carrier_label(request.return_carrier),
                request.return_tracking_number,
                when(request.return_sent_at),
            )
        return text

    # --- actions ---

    @admin.action(description=gettext_lazy("Ship with a tracking number…"), permissions=["operate"])
    def ship(self, request, queryset):
        orders = list(queryset.order_by("pk"))
        form = ShipForm(request.POST if confirmed(request) else None, orders=orders)
        if confirmed(request) and form.is_valid():

            def ship(order):
                order_services.order_ship(
                    order=order,
                    tracking_number=form.tracking_number(order),  # blank: the carrier gives one
                    carrier=form.cleaned_data["carrier"],
                    actor=request.user,
                )
                return _("Order %(order)s shipped, tracking number %(tracking)s.") % {
                    "order": order.number,
                    "tracking": order.tracking_number,
                }

            run_action(self, request, orders, ship)
            return action_done(request)
        return action_page(
            self,
            request,
            action="ship",
            objects=orders,
            form=form,
            title=_("Ship orders"),
            intro=_(
                "Cross-border orders ship once customs has cleared them; shipping takes the units out of the "
                "warehouse's stock on the ledger. Leave a tracking number blank to book the parcel with the "
                "carrier, which gives the number."
            ),
            headers=[_("order"), _("state"), _("ship to"), _("total"), _("tracking number")],
            groups=[
                {
                    "title": None,
                    "rows": [
                        {
                            "label": o.number,
                            "cells": [
                                o.number,
                                order_state_badge(o.state),
                                " · ".join(
                                    v
                                    for v in ((o.ship_to or {}).get(k, "") for k in ("recipient", "address"))
                                    if v
                                ),
                                money(o.total),
                            ],
                            "field": form.row_field(o),
                        }
                        for o in orders
                    ],
                }
            ],
            submit_label=_("Ship"),
        )

    def _reason_page(self, request, *, action, orders, form, title, intro, submit_label, danger=False):
        return action_page(
            self,
            request,
            action=action,
            objects=orders,
            form=form,
            title=title,
            intro=intro,
            headers=[_("order"), _("buyer"), _("state"), _("total")],
            groups=[
                {
                    "title": None,
                    "rows": [
                        {
                            "label": o.number,
                            "cells": [o.number, o.user.username, order_state_badge(o.state), money(o.total)],
                        }
                        for o in orders
                    ],
                }
            ],
            submit_label=submit_label,
            danger=danger,
        )

    @admin.action(description=gettext_lazy("Refund…"), permissions=["operate"])
    def refund(self, request, queryset):
        orders = list(queryset.order_by("pk"))
        form = ReasonForm(
            request.POST if confirmed(request) else None,
            help_text=_("Shown to the buyer on the order's timeline."),
        )
        if confirmed(request) and form.is_valid():
            reason = form.cleaned_data["reason"]

            def refund(order):
                outcome = payment_services.order_refund_now_or_later(order_id=order.pk, reason=reason)
                if outcome.retrying:
                    return _(
                        "Order %(order)s: the payment provider did not answer; the refund will be retried."
                    ) % {"order": order.number}
                if not outcome.refunds:
                    return _("Order %(order)s: nothing was left to refund.") % {"order": order.number}
                return _("Order %(order)s: refunded %(amount)s.") % {
                    "order": order.number,
                    "amount": money(outcome.amount),
                }

            run_action(self, request, orders, refund)
            return action_done(request)
        return self._reason_page(
            request,
            action="refund",
            orders=orders,
            form=form,
            title=_("Refund orders"),
            intro=_(
                "The money goes back through the provider it came from. A paid order that has not shipped "
                "gives its units back to stock; shipped orders are refunded through a return."
            ),
            submit_label=_("Refund"),
            danger=True,
        )

    @admin.action(
        description=gettext_lazy("Approve return (the buyer is told to send it)"), permissions=["operate"]
    )
    def approve_return(self, request, queryset):
        def approve(order):
            if order_services.order_approve_return(order=order, actor=request.user):
                return _("Order %(order)s: return approved; the buyer is told to send it back.") % {
                    "order": order.number
                }
            return False  # approved already, or no longer waiting for approval

        run_action(self, request, queryset.order_by("pk"), approve)
        return action_done(request)

    @admin.action(
        description=gettext_lazy("Receive return (stock back, refund follows)"), permissions=["operate"]
    )
    def receive_return(self, request, queryset):
        def receive(order):
            order_services.order_receive_return(order=order, actor=request.user)
            return _("Order %(order)s: return received, units back in stock; the refund is on its way.") % {
                "order": order.number
            }

        run_action(self, request, queryset.order_by("pk"), receive)
        return action_done(request)

    @admin.action(description=gettext_lazy("Cancel unpaid orders…"), permissions=["operate"])
    def cancel_unpaid(self, request, queryset):
        orders = list(queryset.order_by("pk"))
        form = ReasonForm(
            request.POST if confirmed(request) else None,
            help_text=_("Shown to the buyer on the order's timeline."),
        )
        if confirmed(request) and form.is_valid():
            reason = form.cleaned_data["reason"]

            def cancel(order):
                order_services.order_cancel(
                    order=order,
                    actor=request.user,
                    reason=_("Cancelled by the shop: %(reason)s") % {"reason": reason},
                )
                return _("Order %(order)s cancelled; its units are back on sale.") % {"order": order.number}

            run_action(self, request, orders, cancel)
            return action_done(request)
        return self._reason_page(
            request,
            action="cancel_unpaid",
            orders=orders,
            form=form,
            title=_("Cancel unpaid orders"),
            intro=_("Only orders still awaiting payment can be cancelled; their units go back on sale."),
            submit_label=_("Cancel these orders"),
            danger=True,
        )


# --- customs -----------------------------------------------------------------------------------------------


@admin.register(CustomsDeclaration)
class CustomsDeclarationAdmin(ReadOnlyAdmin):
    list_display = [
        "order_number",
        "state_badge",
        "waybill",
        "reference",
        "rejection_reason",
        "submitted_at",
        "decided_at",
    ]
    list_filter = ["state"]
    list_select_related = ["order"]
    search_fields = ["order__number", "waybill", "reference"]
    date_hierarchy = "submitted_at"
    ordering = ["-id"]
    fields = [
        "order_link",
        "state_badge",
        "waybill",
        "reference",
        "rejection_reason",
        "submitted_at",
        "decided_at",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("order"), ordering="order__number")
    def order_number(self, declaration):
        return declaration.order.number

    @admin.display(description=gettext_lazy("order"))
    def order_link(self, declaration):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:mall_order_change", args=[declaration.order_id]),
            declaration.order.number,
        )

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_badge(self, declaration):
        return badge(
            declaration.state, declaration.get_state_display(), CUSTOMS_TONES.get(declaration.state, "")
        )
