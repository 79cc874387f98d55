"""Buying without JavaScript: the buy button is a form post (same service as the API), then a status page
refreshes itself every second until the order exists."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.client import client_address
from core.errors import DomainError
from flashsale.forms import BuyForm
from flashsale.models import FlashSale
from flashsale.selectors.buy_requests import request_status
from flashsale.selectors.sales import access_sale
from flashsale.services import admission
from flashsale.views.sales import login_then_sale


def _problem(request, sale: FlashSale, *, message: str, code: str, status: int):
    """A refused buy in plain words, with the way to fix it when there is one."""
    return render(
        request,
        "flashsale/buy_problem.html",
        {"sale": sale, "message": message, "code": code, "status": status},
        status=status,
    )


@require_POST
def sale_buy(request, sale_id: int):
    """The buy button without JavaScript. The request id came with the page, so a second submit of the
    same page is the same request."""
    if not request.user.is_authenticated:
        return login_then_sale(sale_id)
    sale = access_sale(sale_id=sale_id)
    form = BuyForm(request.POST)
    if not form.is_valid():
        return _problem(
            request,
            sale,
            message=_("That page was out of date. Open the sale again and press Buy."),
            code="invalid",
            status=400,
        )
    request_id = form.cleaned_data["request_id"]
    try:
        answer = admission.flash_buy(
            sale_id=sale.pk,
            user_id=request.user.pk,
            request_id=request_id,
            ip=client_address(request),
            # The form carries its request id across reloads and resubmissions: always a possible retry.
            retry=True,
        )
    except DomainError as exc:
        return _problem(request, sale, message=exc.message, code=exc.code, status=exc.status_code)
    if answer.status == admission.ADMITTED:
        return redirect("flash:buy_status", sale_id=sale.pk, request_id=request_id)
    return _problem(request, sale, message=answer.message, code=answer.status, status=409)


@require_GET
def buy_status(request, sale_id: int, request_id: str):
    """Where the no-script buyer waits: refreshes itself every second until the order exists."""
    if not request.user.is_authenticated:
        return login_then_sale(sale_id)
    sale = access_sale(sale_id=sale_id)
    result = request_status(sale_id=sale.pk, user_id=request.user.pk, request_id=request_id)
    if result.status == "order":
        return redirect("payments:order_pay", number=result.order.number)
    words = {
        "pending": admission.MESSAGES[admission.ADMITTED],
        "sold_out": admission.MESSAGES[admission.SOLD_OUT],
        "over_limit": admission.MESSAGES[admission.OVER_LIMIT],
        "unknown": _("We have no record of this request. Open the sale and press Buy again."),
    }
    return render(
        request,
        "flashsale/buy_status.html",
        {
            "sale": sale,
            "status": result.status,
            "message": words.get(result.status, words["unknown"]),
            "refresh": result.status == "pending",
        },
    )
