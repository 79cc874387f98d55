"""Buyer pages of the flash sale: the sale page, "Remind me", and buying without JavaScript (a form post,
then a status page that refreshes itself until the order exists). With JavaScript the same buttons talk
to the API (flashsale/api.py) and poll it; these views are the plain-HTML path beside it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from flashsale import selectors
from flashsale.forms import BuyForm
from flashsale.models import FlashSale
from flashsale.services import admission
from flashsale.services.reminders import reminder_create, reminders_for_viewer
from flashsale.services.status import request_status
from flashsale.templatetags.flashsale import epoch_ms, sale_card


def _sale_qs():
    return (
        FlashSale.objects.exclude(state=FlashSale.State.DRAFT)
        .select_related("sku__product__brand")
        .prefetch_related("sku__product__images")
    )


def _login_then(request, sale_id: int):
    """A signed-out buyer logs in and comes back to the sale page (not to a POST-only address)."""
    return redirect_to_login(reverse("flash:sale", args=[sale_id]))


def _problem(request, sale: FlashSale, *, message: str, code: str, status: int):
    """A refused buy in plain words, with the way to fix it when there is one."""
    return render(
        request,
        "flashsale/buy_problem.html",
        {"sale": sale, "message": message, "code": code, "status": status},
        status=status,
    )


@require_GET
def sale_detail(request, sale_id: int):
    sale = get_object_or_404(_sale_qs(), pk=sale_id)
    now = timezone.now()
    remaining = selectors.remaining_units([sale])[sale.pk] if sale.state == FlashSale.State.PUBLISHED else 0
    reminder = reminders_for_viewer(user=request.user, sale_ids=[sale.pk]).get(sale.pk)
    card = sale_card(sale, now=now, remaining=remaining, reminder=reminder)
    return render(
        request,
        "flashsale/sale.html",
        {"c": card, "sale": sale, "now": now, "server_now_ms": epoch_ms(now)},
    )


@require_POST
def sale_remind(request, sale_id: int):
    if not request.user.is_authenticated:
        return _login_then(request, sale_id)
    sale = get_object_or_404(FlashSale, pk=sale_id)
    try:
        reminder_create(user=request.user, sale=sale)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We'll tell you here when “%(sale)s” opens.") % {"sale": sale})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("flash:sale", args=[sale.pk])
    return redirect(target)


@require_POST
def sale_buy(request, sale_id: int):
    """The buy button without JavaScript. Same service as the API; the request id came with the page,
    so a second submit of the same page is the same request."""
    if not request.user.is_authenticated:
        return _login_then(request, sale_id)
    sale = get_object_or_404(FlashSale.objects.select_related("sku__product"), pk=sale_id)
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
            ip=request.META.get("REMOTE_ADDR", ""),
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
        return _login_then(request, sale_id)
    sale = get_object_or_404(FlashSale.objects.select_related("sku__product"), pk=sale_id)
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
