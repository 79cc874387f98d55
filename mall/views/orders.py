"""The buyer's orders: list with tabs, detail with countdown and timeline, and the buyer's actions
(cancel while unpaid, confirm delivery, request a return). Another buyer's order is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.keyset import page_size_parse
from mall.forms import CancelForm, ReturnForm, ReturnParcelForm
from mall.selectors import PAGE_SIZE_MAX
from mall.selectors.orders import ORDER_TABS, access_order, order_list, order_page, order_state
from mall.services import orders as order_services
from mall.views.slots import ORDER_INVITE_TEMPLATE, optional_template


@login_required
def orders(request):
    tab = request.GET.get("tab") or "all"
    tab = tab if tab in ORDER_TABS else "all"
    page = order_list(
        user=request.user,
        tab=tab,
        cursor=request.GET.get("cursor"),
        size=page_size_parse(request.GET.get("size"), default=10, maximum=PAGE_SIZE_MAX),
    )
    context = {"page": page, "tab": tab, "tabs": [(key, label) for key, (label, _s) in ORDER_TABS.items()]}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "mall/partials/order_page.html", context)
    return render(request, "mall/orders.html", context)


def _detail(request, number: str, *, return_parcel_form=None, status: int = 200):
    data = order_page(user=request.user, number=number)
    return render(
        request,
        "mall/order_detail.html",
        {
            "data": data,
            "order": data.order,
            "return_form": ReturnForm(),
            "return_parcel_form": return_parcel_form
            or (ReturnParcelForm() if data.can_send_return else None),
            "order_invite_template": optional_template(ORDER_INVITE_TEMPLATE),
        },
        status=status,
    )


@login_required
def order_detail(request, number: str):
    return _detail(request, number)


@never_cache
@require_GET
@login_required
def order_status(request, number: str):
    """What the order page polls: the order's state, and whether it differs from the state the page shows
    (``?state=``). When it does, the ``order-changed`` event (htmx) makes the page draw itself again."""
    state = order_state(user=request.user, number=number)
    changed = state != request.GET.get("state", state)
    response = JsonResponse({"state": state, "changed": changed})
    if changed:
        response["HX-Trigger"] = "order-changed"
    return response


def _act(request, number: str, action, done: str):
    order = access_order(user=request.user, number=number)
    try:
        action(order)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("mall:order", number=order.number)


@login_required
@require_POST
def order_cancel(request, number: str):
    form = CancelForm(request.POST)
    reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
    return _act(
        request,
        number,
        lambda order: order_services.order_cancel(order=order, actor=request.user, reason=reason),
        _("Order cancelled. The goods went back on the shelf."),
    )


@login_required
@require_POST
def order_confirm_delivery(request, number: str):
    return _act(
        request,
        number,
        lambda order: order_services.order_confirm_delivery(order=order, actor=request.user),
        _("Thanks for confirming. Enjoy your goods!"),
    )


@login_required
@require_POST
def order_return(request, number: str):
    order = access_order(user=request.user, number=number)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell us why you are returning it."))
        return redirect("mall:order", number=order.number)
    return _act(
        request,
        number,
        lambda o: order_services.order_request_return(order=o, reason=form.reason_text(), actor=request.user),
        _("Return requested. We will tell you where to send the goods."),
    )


@login_required
@require_POST
def order_return_parcel(request, number: str):
    """The buyer's tracking number for an approved return. Someone else's order is a 404; a malformed
    number is the page again with the error (400); a return not approved, or already sent, 409."""
    order = access_order(user=request.user, number=number)
    form = ReturnParcelForm(request.POST)
    if form.is_valid():
        try:
            order_services.order_return_parcel(
                order=order,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                actor=request.user,
            )
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return _detail(request, order.number, return_parcel_form=form, status=exc.status_code)
        messages.success(request, _("Thank you. We will tell you when the goods arrive."))
        return redirect("mall:order", number=order.number)
    return _detail(request, order.number, return_parcel_form=form, status=400)
