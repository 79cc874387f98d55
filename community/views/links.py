"""Purchase links on pages: the compose form's catalog search (an htmx fragment), and a reader's taps on
a note's product card: open the product, "Buy", "Add to cart". Each tap is recorded once, as data for
the writer's statistics, and the cart line carries the note's referral into the order."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from community.models import PRODUCT_LINKS_MAX, ProductCardClick
from community.selectors.access import access_note_product
from community.selectors.links import catalog_search
from community.services.links import card_buy, card_cart_add, card_click_record
from core.errors import DomainError
from core.visitor import visitor
from mall.cart_session import cart_for_request


@login_required
@require_GET
def product_search(request):
    query = (request.GET.get("q") or "").strip()
    results = catalog_search(query=query)
    return render(
        request,
        "community/partials/links_search_results.html",
        {"results": results, "query": query, "PRODUCT_LINKS_MAX": PRODUCT_LINKS_MAX},
    )


@require_http_methods(["GET", "POST"])
def card_open(request, note_id: int, product_id: int):
    """The product, with the note's referral. The card's tap is a POST (a GET records nothing: links are
    followed by crawlers, previews and prefetchers, and a GET must not change anything)."""
    link = access_note_product(user=request.user, note_id=note_id, product_id=product_id)
    if request.method == "POST":
        card_click_record(
            link=link, user=request.user, action=ProductCardClick.Action.OPEN, who=visitor(request)
        )
    target = reverse("mall:product", args=[link.product.slug]) + f"?ref=note:{link.note_id}"
    return redirect(target) if request.method == "GET" else HttpResponseSeeOther(target)


class HttpResponseSeeOther(HttpResponse):
    """303: after a POST, GET the target."""

    status_code = 303

    def __init__(self, location: str) -> None:
        super().__init__()
        self["Location"] = location


def _back(note_id: int) -> str:
    return reverse("community:note", args=[note_id]) + "#note-products"


@require_POST
def card_buy_view(request, note_id: int, product_id: int):
    """ "Buy". A card standing for several variants first answers the chooser (with htmx, a bottom sheet
    on the card; without, a page), whose buttons post the variant as ``sku``."""
    link = access_note_product(user=request.user, note_id=note_id, product_id=product_id)
    try:
        result = card_buy(
            link=link,
            cart_for=lambda: cart_for_request(request),
            user=request.user,
            who=visitor(request),
            sku_id=request.POST.get("sku"),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        if request.htmx:
            return HttpResponseClientRedirect(_back(link.note_id))
        return redirect(_back(link.note_id))
    if result.choices:
        context = {
            "link": link,
            "choices": result.choices,
            "buy_url": reverse("community:note_product_buy", args=[link.note_id, link.product_id]),
            "back_url": _back(link.note_id),
        }
        if request.htmx:
            return render(request, "community/partials/card_variants.html", {**context, "sheet": True})
        return render(request, "community/variant_choice.html", context)
    # Like the mall's "Buy now": the line is in the cart and selected; checkout asks a guest to log in.
    target = result.offer.url if result.offer else reverse("mall:checkout")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_POST
def card_cart_view(request, note_id: int, product_id: int):
    link = access_note_product(user=request.user, note_id=note_id, product_id=product_id)
    try:
        card_cart_add(
            link=link, cart_for=lambda: cart_for_request(request), user=request.user, who=visitor(request)
        )
    except DomainError as exc:
        if request.htmx:
            return render(
                request,
                "community/partials/links_cart_button.html",
                {"link": link, "error": exc.message},
                status=exc.status_code,
            )
        messages.error(request, exc.message)
        return redirect(_back(link.note_id))
    if request.htmx:
        return render(
            request,
            "community/partials/links_cart_button.html",
            {"link": link, "added": True},
        )
    messages.success(request, _("Added to your cart."))
    return redirect(_back(link.note_id))
