"""Comments and replies on a note page: posted, liked, deleted and paged through htmx or plain forms."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):  # replaced by the real views in the next commit
    return HttpResponse(status=501)


urlpatterns: list = [
    path("notes/<int:note_id>/comments/", _todo, name="comment_create"),
    path("notes/<int:note_id>/comments/more/", _todo, name="comments_more"),
    path("comments/<int:comment_id>/replies/", _todo, name="comment_replies"),
    path("comments/<int:comment_id>/reply/", _todo, name="comment_reply"),
    path("comments/<int:comment_id>/like/", _todo, name="comment_like"),
    path("comments/<int:comment_id>/unlike/", _todo, name="comment_unlike"),
    path("comments/<int:comment_id>/delete/", _todo, name="comment_delete"),
]
