"""Likes, collects into boards and follows from the browser.

Every action is a real form POST that works without JavaScript (it redirects back to the page it came
from); with htmx the same endpoint answers the re-rendered button, carrying the server's count.
Anonymous visitors are sent to the login page (htmx requests through ``HX-Redirect``).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from community.models import Board
from community.selectors.access import access_board, access_note_for_view, access_user
from community.selectors.boards import collect_picker
from community.services.interactions import (
    board_create,
    board_default,
    board_delete,
    board_update,
    note_collect,
    note_collect_into_new_board,
    note_like,
    note_uncollect,
    note_unlike,
    user_follow,
    user_unfollow,
)
from core.errors import DomainError

LIKE_BUTTON = "community/partials/like_button.html"
COLLECT_BUTTON = "community/partials/collect_button.html"
COLLECT_PICKER = "community/partials/collect_picker.html"
COLLECT_PAGE = "community/collect.html"
FOLLOW_BUTTON = "community/partials/follow_button.html"
BOARD_FORM_PAGE = "community/board_form.html"


# --- helpers shared with the comment views -------------------------------------------------------------


def back_url(request, default: str) -> str:
    """Where the action came from: the form's ``next``, else the htmx page, else ``default``."""
    for candidate in (
        request.POST.get("next") or request.GET.get("next"),
        request.htmx.current_url_abs_path if request.htmx else None,
    ):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return default


def note_url(note_id: int) -> str:
    return reverse("community:note", args=[note_id])


def login_required_htmx(view):
    """``login_required`` that sends htmx requests to the login page with ``HX-Redirect`` and brings
    people back to the page they were on (never to the POST-only endpoint itself)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        default = request.get_full_path() if request.method == "GET" else reverse("home")
        if "note_id" in kwargs:
            default = note_url(kwargs["note_id"])
        login = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back_url(request, default)})}"
        if request.htmx:
            return HttpResponseClientRedirect(login)
        return redirect(login)

    return wrapper


def _board_page_url(board: Board) -> str:
    try:
        return reverse("community:board", args=[board.pk])
    except NoReverseMatch:
        try:
            return reverse("community:profile", args=[board.owner_id])
        except NoReverseMatch:
            return reverse("home")


def _checked(value) -> bool:
    return str(value).lower() in {"1", "true", "on", "yes"}


# --- likes -----------------------------------------------------------------------------------------------


def _like_answer(request, note, toggle):
    if request.htmx:
        note.like_count = toggle.count
        context = {"note": note, "liked": toggle.active, "next": back_url(request, note_url(note.pk))}
        return render(request, LIKE_BUTTON, context)
    return redirect(back_url(request, note_url(note.pk)))


@require_POST
@login_required_htmx
def note_like_view(request, note_id: int):
    note = access_note_for_view(user=request.user, note_id=note_id)
    return _like_answer(request, note, note_like(user=request.user, note=note))


@require_POST
@login_required_htmx
def note_unlike_view(request, note_id: int):
    note = access_note_for_view(user=request.user, note_id=note_id)
    return _like_answer(request, note, note_unlike(user=request.user, note=note))


# --- collects --------------------------------------------------------------------------------------------


def _picker_context(request, note, *, error: str = "", new_name: str = "") -> dict:
    picker = collect_picker(user=request.user, note=note)
    return {
        "note": note,
        "boards": picker.boards,
        "current_board_id": picker.current_board_id,
        "collected": picker.collected,
        "error": error,
        "new_name": new_name,
        "next": back_url(request, note_url(note.pk)),
    }


@require_http_methods(["GET", "POST"])
@login_required_htmx
def note_collect_view(request, note_id: int):
    """GET: the board picker. POST: collect into ``board_id``, into a new board (``new_board_name``,
    ``new_board_private``), or into the default board when neither is given."""
    note = access_note_for_view(user=request.user, note_id=note_id)
    if request.method == "GET":
        template = COLLECT_PICKER if request.htmx else COLLECT_PAGE
        return render(request, template, _picker_context(request, note))
    new_name = (request.POST.get("new_board_name") or "").strip()
    try:
        if new_name:
            board, toggle = note_collect_into_new_board(
                user=request.user,
                note=note,
                board_name=new_name,
                is_private=_checked(request.POST.get("new_board_private")),
            )
        else:
            board_id = request.POST.get("board_id")
            board = access_board(user=request.user, board_id=board_id) if board_id else None
            toggle = note_collect(user=request.user, note=note, board=board)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        # The picker again, with the message next to the new board's name.
        template = COLLECT_PICKER if request.htmx else COLLECT_PAGE
        context = _picker_context(request, note, error=exc.message, new_name=new_name)
        response = render(request, template, context, status=200 if request.htmx else 400)
        if request.htmx:
            response["HX-Retarget"] = f"#collect-picker-{note.pk}"
            response["HX-Reswap"] = "innerHTML"
        return response
    board = board or board_default(user=request.user)
    if request.htmx:
        note.collect_count = toggle.count
        context = {
            "note": note,
            "collected": True,
            "close_picker": True,
            "next": back_url(request, note_url(note.pk)),
        }
        return render(request, COLLECT_BUTTON, context)
    messages.success(request, _("Collected into “%(board)s”.") % {"board": board.name})
    return redirect(back_url(request, note_url(note.pk)))


@require_POST
@login_required_htmx
def note_uncollect_view(request, note_id: int):
    note = access_note_for_view(user=request.user, note_id=note_id)
    toggle = note_uncollect(user=request.user, note=note)
    if request.htmx:
        note.collect_count = toggle.count
        context = {
            "note": note,
            "collected": False,
            "close_picker": True,
            "next": back_url(request, note_url(note.pk)),
        }
        return render(request, COLLECT_BUTTON, context)
    return redirect(back_url(request, note_url(note.pk)))


# --- follows ---------------------------------------------------------------------------------------------


def _follow_answer(request, followee, toggle):
    try:
        default = reverse("community:profile", args=[followee.pk])
    except NoReverseMatch:
        default = reverse("home")
    if request.htmx:
        context = {
            "profile_user": followee,
            "is_following": toggle.active,
            "follower_count": toggle.count,
            "next": back_url(request, default),
        }
        return render(request, FOLLOW_BUTTON, context)
    return redirect(back_url(request, default))


@require_POST
@login_required_htmx
def user_follow_view(request, user_id: int):
    followee = access_user(user_id=user_id)
    return _follow_answer(request, followee, user_follow(follower=request.user, followee=followee))


@require_POST
@login_required_htmx
def user_unfollow_view(request, user_id: int):
    followee = access_user(user_id=user_id)
    return _follow_answer(request, followee, user_unfollow(follower=request.user, followee=followee))


# --- boards ----------------------------------------------------------------------------------------------


def _board_form(request, *, board: Board | None):
    data = request.POST if request.method == "POST" else {}
    name = data.get("name", board.name if board else "")
    is_private = _checked(data.get("is_private")) if data else bool(board and board.is_private)
    error = ""
    if request.method == "POST":
        try:
            if board is None:
                board = board_create(owner=request.user, name=name, is_private=is_private)
                messages.success(request, _("Board created."))
            else:
                board = board_update(board=board, name=name, is_private=is_private)
                messages.success(request, _("Board saved."))
        except DomainError as exc:
            if exc.status_code == 404:
                raise
            error = exc.message
        else:
            return redirect(back_url(request, _board_page_url(board)))
    return render(
        request,
        BOARD_FORM_PAGE,
        {"board": board, "name": name, "is_private": is_private, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required_htmx
def board_new_view(request):
    return _board_form(request, board=None)


@require_http_methods(["GET", "POST"])
@login_required_htmx
def board_edit_view(request, board_id: int):
    return _board_form(request, board=access_board(user=request.user, board_id=board_id))


@require_POST
@login_required_htmx
def board_delete_view(request, board_id: int):
    board = access_board(user=request.user, board_id=board_id)
    board_delete(board=board)
    messages.success(request, _("Board deleted; its notes are in your default board."))
    try:
        target = reverse("community:profile", args=[request.user.pk])
    except NoReverseMatch:
        target = reverse("home")
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)
