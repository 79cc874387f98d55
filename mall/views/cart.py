"""The cart: add (from a product page, also for anonymous visitors), steppers, select, remove."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from core.errors import DomainError, NotFound
from mall.cart_session import cart_for_request
from mall.forms import AddToCartForm, CartLineForm
from mall.selectors.cart import cart_count, cart_page
from mall.services import cart as cart_services


def _safe_next(request, url: str | None, default: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure()):
        return url
    return default


def cart(request):
    data = cart_page(cart=cart_for_request(request, create=False), with_variants=True)
    template = "mall/partials/cart_body.html" if request.htmx else "mall/cart.html"
    return render(request, template, {"data": data})


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    back = _safe_next(request, request.POST.get("next"), reverse("mall:cart"))
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        if request.htmx:
            return render(request, "mall/partials/cart_added.html", {"error": message}, status=400)
        messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    shopping_cart = cart_for_request(request)
    try:
        cart_services.cart_add(
            cart=shopping_cart, sku_id=data["sku"], quantity=data["quantity"], referral=data["ref"]
        )
    except DomainError as exc:
        if request.htmx:
            return render(
                request, "mall/partials/cart_added.html", {"error": exc.message}, status=exc.status_code
            )
        messages.error(request, exc.message)
        return redirect(back)
    if data["buy_now"]:
        if request.htmx:
            return HttpResponseClientRedirect(reverse("mall:checkout"))
        return redirect("mall:checkout")
    if request.htmx:
        return render(request, "mall/partials/cart_added.html", {"count": cart_count(cart=shopping_cart)})
    messages.success(request, _("Added to your cart."))
    return redirect(back)


def _own_cart(request):
    shopping_cart = cart_for_request(request, create=False)
    if shopping_cart is None:
        raise Http404(_("That item is not in your cart."))
    return shopping_cart


@require_POST
def cart_line(request, line_id: int):
    shopping_cart = _own_cart(request)
    line = cart_services.cart_line_access(cart=shopping_cart, line_id=line_id)
    form = CartLineForm(request.POST)
    if form.is_valid():
        action, quantity = form.cleaned_data["action"], form.cleaned_data["quantity"]
        try:
            if action == "inc":
                cart_services.cart_line_update(
                    cart=shopping_cart, line_id=line.pk, quantity=min(line.quantity + 1, 99)
                )
            elif action == "dec":
                cart_services.cart_line_update(
                    cart=shopping_cart, line_id=line.pk, quantity=max(line.quantity - 1, 1)
                )
            elif action == "select":
                cart_services.cart_line_update(
                    cart=shopping_cart, line_id=line.pk, selected=form.cleaned_data["selected"]
                )
            elif quantity:
                cart_services.cart_line_update(cart=shopping_cart, line_id=line.pk, quantity=quantity)
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Choose between 1 and 99."))
    return redirect("mall:cart")


@require_POST
def cart_line_variant(request, line_id: int):
    """Change a line's variant (a select of the product's active ones); merges into a line of that one."""
    shopping_cart = _own_cart(request)
    try:
        cart_services.cart_line_variant_change(
            cart=shopping_cart, line_id=line_id, sku_id=request.POST.get("sku")
        )
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    return redirect("mall:cart")


@require_POST
def cart_line_remove(request, line_id: int):
    shopping_cart = _own_cart(request)
    cart_services.cart_line_remove(cart=shopping_cart, line_id=line_id)
    return redirect("mall:cart")


@require_POST
def cart_select_all(request):
    shopping_cart = _own_cart(request)
    selected = request.POST.get("selected") == "1"
    for line_id in shopping_cart.lines.values_list("pk", flat=True):
        cart_services.cart_line_update(cart=shopping_cart, line_id=line_id, selected=selected)
    return redirect("mall:cart")
