"""Checkout: hold the cart's selected lines, choose address and purchaser, place the order once.

GET reserves (or renews) the holds under a token kept in the session and hands the page a fresh
idempotency key; POST places the order for that key, so a double submit makes one order. Customs limits
are checked before anything is held, and a refusal says how much quota is left."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors as accounts_selectors
from core.errors import DomainError
from mall.cart_session import cart_for_request
from mall.errors import QuotaExceeded
from mall.forms import CheckoutForm
from mall.selectors.cart import cart_page
from mall.selectors.catalog import product_covers
from mall.services import checkout as checkout_services
from mall.services.payments import payment_start
from mall.services.pricing import quota_left_for

TOKEN_KEY = "mall_checkout_token"  # noqa: S105 - a session key, not a secret


def _pick(items, wanted):
    """The item whose id the shopper chose, else the default (lists come default first)."""
    if wanted not in (None, ""):
        for item in items:
            if str(item.pk) == str(wanted):
                return item
    return items[0] if items else None


def _context(request, *, cart, addresses, identities, address, identity, form=None, problem=""):
    """Reserve (or renew) the holds and build the page. A customs refusal holds nothing."""
    summary, quota_error = None, ""
    token = request.session.get(TOKEN_KEY)
    try:
        summary = checkout_services.checkout_reserve(
            user=request.user, cart=cart, token=token, identity=identity
        )
    except QuotaExceeded as exc:
        quota_error = exc.message
        request.session.pop(TOKEN_KEY, None)
    except DomainError as exc:
        # Nothing left to hold (the selected goods went off sale meanwhile): say so on the page.
        problem = problem or exc.message
    else:
        if token != summary.token:  # a renewal keeps its token: no session write on every reload
            request.session[TOKEN_KEY] = summary.token
    # Held: at least one line is held for this checkout. Otherwise (refused, or not one line could be held)
    # the page shows the cart's selected lines as they are, never an empty "held" list to place.
    held = summary is not None and bool(summary.lines)
    preview = None if held else cart_page(cart=cart)
    if held:
        covers = product_covers(product_ids=[p.sku.product_id for p in summary.lines])
        rows = [{"priced": p, "cover_url": covers.get(p.sku.product_id, "")} for p in summary.lines]
    else:
        rows = [{"priced": r.priced, "cover_url": r.cover_url} for r in preview.selected]
    cross_border = (
        summary.is_cross_border if held else any(r.line.sku.product.is_cross_border for r in preview.selected)
    )
    if form is None:
        form = CheckoutForm(
            initial={
                "address": address.pk if address else None,
                "identity": identity.pk if identity else None,
                "idempotency_key": secrets.token_urlsafe(24),
            },
            addresses=addresses,
            identities=identities,
            needs_identity=cross_border,
        )
    return {
        "summary": summary,
        "held": held,
        "totals": summary if held else preview,
        "preview": preview,
        "rows": rows,
        "quota_error": quota_error,
        "quota_left": _quota_left(request, summary=summary, identity=identity) if cross_border else None,
        "cross_border": cross_border,
        "addresses": addresses,
        "identities": identities,
        "address": address,
        "identity": identity,
        "form": form,
        "problem": problem,
        "server_now": timezone.now(),
        "can_place": held and summary.can_place(address=address, identity=identity),
    }


def _quota_left(request, *, summary, identity):
    """What is left of the purchaser's quota: the holds' check already read it, else read it now."""
    if summary is not None and summary.quota_left is not None:
        return summary.quota_left
    return quota_left_for(viewer=request.user, identity=identity)


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request):
    cart = cart_for_request(request)
    addresses = list(accounts_selectors.address_list(user=request.user))
    identities = list(accounts_selectors.identity_list(user=request.user, verified_only=True))
    source = request.POST if request.method == "POST" else request.GET
    address = _pick(addresses, source.get("address"))
    identity = _pick(identities, source.get("identity"))
    if request.method == "GET" and not cart.lines.filter(selected=True).exists():
        messages.info(request, _("Choose something in your cart first."))
        return redirect("mall:cart")

    form, problem = None, ""
    if request.method == "POST":
        form = CheckoutForm(request.POST, addresses=addresses, identities=identities, needs_identity=False)
        if form.is_valid():
            try:
                placed = checkout_services.order_place(
                    user=request.user,
                    cart=cart,
                    token=request.session.get(TOKEN_KEY) or "",
                    address=accounts_selectors.access_address(
                        user=request.user, address_id=form.cleaned_data["address"]
                    ),
                    identity=(
                        accounts_selectors.access_identity(
                            user=request.user, identity_id=form.cleaned_data["identity"]
                        )
                        if form.cleaned_data.get("identity")
                        else None
                    ),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except DomainError as exc:  # out of stock, over the customs quota, nothing left to buy...
                problem = exc.message
            else:
                if placed.replayed:
                    # The same form sent again (a double click, a retry): the order it made, no new payment.
                    return redirect(reverse("mall:order", args=[placed.order.number]))
                request.session.pop(TOKEN_KEY, None)
                return _to_payment(request, placed.order)
            form = None  # a fresh key: the refused attempt made no order
        else:
            problem = next(iter(form.errors.values()))[0]
            form = None
        if not cart.lines.filter(selected=True).exists():
            messages.error(request, problem)
            return redirect("mall:cart")
    context = _context(
        request,
        cart=cart,
        addresses=addresses,
        identities=identities,
        address=address,
        identity=identity,
        form=form,
        problem=problem,
    )
    return render(request, "mall/checkout.html", context, status=400 if problem else 200)


def _to_payment(request, order):
    """Straight to the payment provider; if it can't start, the order page says why."""
    if order.state == order.State.PENDING_PAYMENT:
        try:
            return redirect(payment_start(order=order, user=request.user))
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("mall:order", args=[order.number]))
