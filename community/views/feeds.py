"""feeds pages (see community/urls.py)."""

from django.shortcuts import render


def home(request):
    """The discovery feed (placeholder until the feeds are built)."""
    return render(request, "home.html")


urlpatterns: list = []
