"""notes pages (see community/urls.py)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("coming soon")


urlpatterns: list = [
    path("notes/new/", _todo, name="note_new"),
    path("notes/<int:note_id>/", _todo, name="note"),
    path("notes/<int:note_id>/edit/", _todo, name="note_edit"),
    path("notes/<int:note_id>/delete/", _todo, name="note_delete"),
    path("notes/topics/suggest/", _todo, name="topic_suggest"),
]
