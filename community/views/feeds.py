"""Feed pages: discovery at ``/``, the following feed, topic pages.

Each page answers an htmx request (the infinite-scroll sentinel) with just the next cards and a new
sentinel; a plain request gets the whole page, so "More" links work without JavaScript too. The same
URL answers both, so responses vary on the HX-Request header. ``?sponsored=hide`` leaves sponsored notes
out; the sentinel's URL keeps every parameter, so the choice holds while scrolling.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from community.selectors import feeds as selectors
from community.views.trust import SPONSORED_COOKIE, SPONSORED_PARAM, sponsored_context, sponsored_hidden
from core.microcache import micro_cached

FEED_FRAGMENT = "community/partials/feed_page.html"


def next_page_url(request, cursor: str | None) -> str | None:
    """This page's URL with ``cursor`` in place of the current one (other parameters kept)."""
    if not cursor:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{request.path}?{query.urlencode()}"


def feed_render(request, template: str, context: dict, *, note_page):
    """Render a feed page, or only its next cards for the infinite-scroll sentinel."""
    context = {
        **context,
        **sponsored_context(request),
        "notes": note_page.notes,
        "state": note_page.state,
        "next_url": next_page_url(request, note_page.next_cursor),
    }
    if request.htmx and request.GET.get("cursor"):
        response = render(request, FEED_FRAGMENT, context)
    else:
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
@micro_cached(params=("cursor", SPONSORED_PARAM), cookies=(SPONSORED_COOKIE,))
def home(request):
    """The discovery feed: public notes by hot score, a waterfall that loads more as you scroll."""
    note_page = selectors.feed_discover(
        viewer=request.user,
        cursor=request.GET.get("cursor"),
        size=selectors.FEED_PAGE_SIZE,
        hide_sponsored=sponsored_hidden(request),
    )
    return feed_render(request, "home.html", {"feed_tab": "discover"}, note_page=note_page)


@require_safe
def feed_following(request):
    """Newest notes from the writers the viewer follows."""
    note_page = selectors.feed_following(
        viewer=request.user,
        cursor=request.GET.get("cursor"),
        size=selectors.FEED_PAGE_SIZE,
        hide_sponsored=sponsored_hidden(request),
    )
    return feed_render(
        request, "community/feed_following.html", {"feed_tab": "following"}, note_page=note_page
    )


@micro_cached(params=("sort", "cursor", SPONSORED_PARAM), cookies=(SPONSORED_COOKIE,))
def topic(request, name: str):
    topic = selectors.topic_get(name=name)
    sort = request.GET.get("sort") if request.GET.get("sort") in selectors.TOPIC_SORTS else "hot"
    note_page = selectors.topic_notes(
        topic=topic,
        viewer=request.user,
        sort=sort,
        cursor=request.GET.get("cursor"),
        size=selectors.FEED_PAGE_SIZE,
        hide_sponsored=sponsored_hidden(request),
    )
    return feed_render(request, "community/topic.html", {"topic": topic, "sort": sort}, note_page=note_page)
