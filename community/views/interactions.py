"""Likes, collects into boards and follows from the browser: htmx swaps the button, forms work without JS."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):  # replaced by the real views in the next commit
    return HttpResponse(status=501)


urlpatterns: list = [
    path("notes/<int:note_id>/like/", _todo, name="note_like"),
    path("notes/<int:note_id>/unlike/", _todo, name="note_unlike"),
    path("notes/<int:note_id>/collect/", _todo, name="note_collect"),
    path("notes/<int:note_id>/uncollect/", _todo, name="note_uncollect"),
    path("users/<int:user_id>/follow/", _todo, name="user_follow"),
    path("users/<int:user_id>/unfollow/", _todo, name="user_unfollow"),
    path("boards/new/", _todo, name="board_new"),
    path("boards/<int:board_id>/edit/", _todo, name="board_edit"),
    path("boards/<int:board_id>/delete/", _todo, name="board_delete"),
]
