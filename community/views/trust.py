"""Trust pages: the notes about a product ("buyer shows") as a fragment for the mall's product page and
as a full page; and the reader's switch that hides sponsored notes from feeds and search.

The mall's product page includes ``community/slots/product_notes.html``, which loads the fragment here
with htmx, since the mall never imports the community (docs/architecture.md, "How a lower app shows an
upper app's content"); without JavaScript the slot links to the full page.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from community.selectors import trust as selectors

SPONSORED_PARAM = "sponsored"
SPONSORED_HIDE = "hide"


SPONSORED_SHOW = "show"
SPONSORED_COOKIE = "hs_sponsored"


def sponsored_hidden(request) -> bool:
    """Whether the reader leaves sponsored notes out: ``?sponsored=hide`` or ``?sponsored=show`` decides (and
    ``community.middleware.SponsoredChoiceMiddleware`` remembers it in a cookie); without either, the remembered choice."""
    asked = request.GET.get(SPONSORED_PARAM)
    if asked in (SPONSORED_HIDE, SPONSORED_SHOW):
        return asked == SPONSORED_HIDE
    return request.COOKIES.get(SPONSORED_COOKIE) == SPONSORED_HIDE


def sponsored_toggle_url(request) -> str:
    """This page from the top with the sponsored filter flipped (other parameters kept)."""
    query = request.GET.copy()
    query.pop("cursor", None)
    query[SPONSORED_PARAM] = SPONSORED_SHOW if sponsored_hidden(request) else SPONSORED_HIDE
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def sponsored_context(request) -> dict:
    """What ``partials/trust_sponsored_toggle.html`` needs."""
    return {
        "hide_sponsored": sponsored_hidden(request),
        "sponsored_toggle_url": sponsored_toggle_url(request),
    }


def _next_url(request, cursor: str | None) -> str | None:
    if not cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


@require_GET
def product_notes_fragment(request, product_id: int):
    """The first few notes about a product, verified purchases first, for the product page."""
    data = selectors.product_notes_preview(product_id=product_id, size=selectors.PREVIEW_SIZE)
    return render(request, "community/partials/trust_product_notes.html", {"data": data})


@require_GET
def product_notes_page(request, product_id: int):
    """Every public note that tags the product: verified purchases first, then the most liked."""
    data = selectors.product_notes(
        product_id=product_id,
        viewer=request.user,
        cursor=request.GET.get("cursor") or None,
        size=selectors.PAGE_SIZE,
    )
    context = {"data": data, "notes": data.notes, "next_url": _next_url(request, data.next_cursor)}
    if request.htmx and request.GET.get("cursor"):
        response = render(request, "community/partials/trust_product_notes_page.html", context)
    else:
        response = render(request, "community/product_notes_all.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response
