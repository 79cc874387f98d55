"""search pages (see community/urls.py)."""

from django.http import HttpResponse
from django.urls import path


def _todo(request, **kwargs):
    return HttpResponse("coming soon")


urlpatterns: list = [
    path("search/", _todo, name="search"),
    path("search/suggest/", _todo, name="search_suggest"),
]
