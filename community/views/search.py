"""Search pages: results in four tabs (notes, products, users, topics) with sort chips for notes, the
strip of the products a query names above its notes, infinite scroll through htmx fragments, and the
suggestions dropdown of the top search box."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from community.models import Topic
from community.search_listeners import searched
from community.selectors import search as search_selectors
from community.selectors.search import suggestions as search_suggestions
from community.selectors.search.notes import SORTS, notes_search, sort_clean
from community.selectors.search.people import topics_search, users_search
from community.selectors.search.products import product_strip, products_search
from community.views.trust import SPONSORED_HIDE, sponsored_context, sponsored_hidden
from core.visitor import visitor

TABS = [("notes", _("Notes")), ("products", _("Products")), ("users", _("Users")), ("topics", _("Topics"))]
POPULAR_TOPICS = 12


def _search_url(params: dict, *, hide_sponsored: bool) -> str:
    """The search page with ``params``, keeping the reader's choice to hide sponsored notes."""
    if hide_sponsored:
        params = {**params, "sponsored": SPONSORED_HIDE}
    return reverse("community:search") + "?" + urlencode(params)


def _page_url(*, query: str, tab: str, sort: str, cursor: str, hide_sponsored: bool = False) -> str:
    params = {"q": query, "type": tab, "cursor": cursor}
    if tab == "notes":
        params["sort"] = sort
    return _search_url(params, hide_sponsored=hide_sponsored)


@require_GET
def search(request):
    query = request.GET.get("q", "")
    tab = request.GET.get("type", "notes")
    tab = tab if tab in dict(TABS) else "notes"
    sort = sort_clean(request.GET.get("sort"))
    cursor = request.GET.get("cursor") or None
    hide_sponsored = sponsored_hidden(request)
    query_next = query
    if tab == "notes":
        page = notes_search(
            query=query,
            viewer=request.user,
            sort=sort,
            cursor=cursor,
            page_size=search_selectors.PAGE_SIZE,
            hide_sponsored=hide_sponsored,
        )
    elif tab == "products":
        page = products_search(query=query, cursor=cursor, page_size=search_selectors.PAGE_SIZE)
        query_next = page.query  # a misspelt brand put right: the next page asks for the brand
    elif tab == "users":
        page = users_search(query=query, cursor=cursor, page_size=search_selectors.PAGE_SIZE)
    else:
        page = topics_search(query=query, cursor=cursor, page_size=search_selectors.PAGE_SIZE)
    if query.strip() and not cursor:
        searched(who=visitor(request), query=query)  # once per search, not per page scrolled
    next_url = (
        _page_url(
            query=query_next, tab=tab, sort=sort, cursor=page.next_cursor, hide_sponsored=hide_sponsored
        )
        if page.next_cursor
        else ""
    )
    context = {
        **sponsored_context(request),
        "query": query,
        "tab": tab,
        "sort": sort,
        "page": page,
        "notes": page.items if tab == "notes" else [],
        "products": page.items if tab == "products" else [],
        "state": page.state,
        "next_url": next_url,
    }
    if request.htmx and cursor:
        return render(request, f"community/partials/search_{tab}.html", context)
    context.update(
        tabs=[
            (key, label, _search_url({"q": query, "type": key}, hide_sponsored=hide_sponsored))
            for key, label in TABS
        ],
        sorts=[
            (key, label, _search_url({"q": query, "sort": key}, hide_sponsored=hide_sponsored))
            for key, label in SORTS
        ],
        # The products the query names, above the notes about them (first page of the notes tab).
        strip=product_strip(query=query) if tab == "notes" and page.searched else [],
        products_url=_search_url({"q": query, "type": "products"}, hide_sponsored=hide_sponsored),
        popular_topics=(
            list(Topic.objects.filter(note_count__gt=0).order_by("-note_count", "id")[:POPULAR_TOPICS])
            if not page.searched
            else []
        ),
    )
    return render(request, "community/search.html", context)


@require_GET
def search_suggest(request):
    """The dropdown under the top search box: topics and note titles for what has been typed so far."""
    query = request.GET.get("q", "")
    suggestions = search_suggestions.search_suggest(query=query)
    if not suggestions:
        return HttpResponse("")
    return render(
        request,
        "community/partials/search_suggest.html",
        {
            "query": query,
            "suggestions": suggestions,
            "all_url": reverse("community:search") + "?" + urlencode({"q": query}),
        },
    )
