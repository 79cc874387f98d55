"""Payment pages: "pay this order" (sends the buyer to the provider) and the sandbox gateway's hosted pay
page. The webhook the gateway calls is mall.api.payments.SandboxWebhookApi."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.idnumbers import id_check_digit, id_number_mask, id_number_normalize, real_name_mask
from core.errors import DomainError, NotFound
from core.gateways import sandbox_allowed
from mall.models import Order, Payment
from mall.payments.sandbox import sandbox_decide, sandbox_decision
from mall.selectors.orders import access_order
from mall.selectors.payments import access_payment
from mall.services.payments import payment_payable_check, payment_start

# "Someone else pays" in the sandbox: a stranger with a well-formed ID number, to see customs refuse it.
SANDBOX_STRANGER_NAME = "李四"
SANDBOX_STRANGER_ID = "11010519850315002" + id_check_digit("11010519850315002")


def order_page_url(order: Order) -> str:
    return reverse("mall:order", args=[order.number])


@login_required
@require_http_methods(["GET", "POST"])
def order_pay(request, number: str):
    """GET: what is about to be paid, with a Pay button. POST: create the payment, go to the provider."""
    order = access_order(user=request.user, number=number)
    problem, status = "", 200
    if request.method == "POST":
        try:
            return redirect(payment_start(order=order, user=request.user))
        except NotFound:
            raise
        except DomainError as exc:
            problem, status = exc.message, exc.status_code
    else:
        try:
            payment_payable_check(order=order)
        except DomainError as exc:
            problem = exc.message
    context = {"order": order, "problem": problem, "order_url": order_page_url(order)}
    return render(request, "mall/payment_confirm.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sandbox_pay(request, reference: str):
    """The sandbox gateway's hosted page. A real gateway has its own login; the sandbox lives on our site
    and shows a payment only to the buyer it belongs to (anyone else: 404)."""
    payment = access_payment(user=request.user, reference=reference)
    if payment.provider != "sandbox" or not sandbox_allowed():
        raise NotFound(_("No such payment."))
    order = payment.order
    decided = payment.state != Payment.State.PENDING or sandbox_decision(payment.reference) is not None
    payer_name = order.buyer_name or request.user.display_name
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "fail"):
            return HttpResponseBadRequest(_("Choose Pay or Fail."))
        if decided:
            messages.info(request, _("This payment was already completed at Sandbox Pay."))
            return redirect(order_page_url(order))
        if request.POST.get("payer") == "other":
            name = (request.POST.get("other_name") or "").strip()[:40] or SANDBOX_STRANGER_NAME
            id_number = (
                id_number_normalize(request.POST.get("other_id_number") or "")[:18] or SANDBOX_STRANGER_ID
            )
        else:
            name, id_number = payer_name, order.buyer_id_number
        sandbox_decide(payment=payment, outcome=action, payer_name=name, payer_id_number=id_number)
        if action == "pay":
            messages.success(request, _("Payment sent. Your order updates as soon as the shop confirms it."))
        else:
            messages.error(request, _("The payment failed. You can try again from the order page."))
        return redirect(order_page_url(order))
    context = {
        "payment": payment,
        "order": order,
        "decided": decided,
        "payer_name_masked": real_name_mask(payer_name),
        "payer_id_masked": id_number_mask(order.buyer_id_number),
        "stranger_name": SANDBOX_STRANGER_NAME,
        "stranger_id": SANDBOX_STRANGER_ID,
        "order_url": order_page_url(order),
    }
    return render(request, "mall/sandbox_pay.html", context)
