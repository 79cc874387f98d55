"""Profile pages: header and tabs (notes / collects / likes), follower lists, boards."""

from __future__ import annotations

from functools import cache

from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from community.selectors import feeds as feed_selectors
from community.selectors import profiles as selectors
from community.views.feeds import feed_render, next_page_url
from core.microcache import micro_cached

FOLLOW_BUTTON = "community/partials/follow_button.html"


@cache
def _follow_button_exists() -> bool:
    # The interactions area provides the button; until it does, profiles simply show none.
    try:
        get_template(FOLLOW_BUTTON)
    except TemplateDoesNotExist:
        return False
    return True


def follow_button_template() -> str | None:
    return FOLLOW_BUTTON if _follow_button_exists() else None


@micro_cached(params=("tab", "cursor"))
def profile(request, user_id: int):
    profile = selectors.profile_get(user_id=user_id, viewer=request.user)
    tab = request.GET.get("tab") if request.GET.get("tab") in selectors.PROFILE_TABS else "notes"
    cursor = request.GET.get("cursor")
    page_size = feed_selectors.FEED_PAGE_SIZE
    boards = []
    if tab == "collects":
        note_page = selectors.profile_collects(
            profile=profile, viewer=request.user, cursor=cursor, size=page_size
        )
        if not cursor:
            boards = selectors.profile_boards(profile=profile, viewer=request.user)
    elif tab == "likes":
        note_page = selectors.profile_likes(
            profile=profile, viewer=request.user, cursor=cursor, size=page_size
        )
    else:
        note_page = selectors.profile_notes(
            profile=profile, viewer=request.user, cursor=cursor, size=page_size
        )
    context = {
        "profile": profile,
        "profile_user": profile.user,
        "tab": tab,
        "boards": boards,
        "tab_hidden": (tab == "collects" and profile.collects_hidden)
        or (tab == "likes" and profile.likes_hidden),
        **_follow_context(request, profile.user, profile.user.viewer_follows),
    }
    return feed_render(request, "community/profile.html", context, note_page=note_page)


def _follow_context(request, target, is_following: bool) -> dict:
    """What a follow button needs, under the names it may look for."""
    return {
        "follow_button": follow_button_template(),
        "target": target,
        "followee": target,
        "is_following": is_following,
        "following": is_following,
    }


def _people(request, user_id: int, *, which: str):
    profile = selectors.profile_get(user_id=user_id, viewer=request.user)
    select = selectors.followers_page if which == "followers" else selectors.following_page
    people = select(
        user=profile.user,
        viewer=request.user,
        cursor=request.GET.get("cursor"),
        size=selectors.USERS_PAGE_SIZE,
    )
    context = {
        "profile": profile,
        "profile_user": profile.user,
        "which": which,
        "people": people,
        "next_url": next_page_url(request, people.next_cursor),
        "follow_button": follow_button_template(),
    }
    if request.htmx and request.GET.get("cursor"):
        response = render(request, "community/partials/profile_people_page.html", context)
    else:
        response = render(request, "community/profile_people.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def followers(request, user_id: int):
    return _people(request, user_id, which="followers")


def following(request, user_id: int):
    return _people(request, user_id, which="following")


@require_safe
def board(request, board_id: int):
    board = selectors.board_get(board_id=board_id, viewer=request.user)
    note_page = selectors.board_notes(
        board=board, viewer=request.user, cursor=request.GET.get("cursor"), size=feed_selectors.FEED_PAGE_SIZE
    )
    is_owner = request.user.is_authenticated and request.user.pk == board.owner_id
    return feed_render(
        request, "community/board.html", {"board": board, "is_owner": is_owner}, note_page=note_page
    )
