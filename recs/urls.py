"""The personal feed's pages (namespace "recs"); ``/`` itself is ``views.feed.home`` in config/urls.py."""

from django.urls import path

from recs.views import feed

app_name = "recs"

urlpatterns = [
    path("recs/interests/", feed.interests, name="interests"),
    path("recs/notes/<int:note_id>/hide/", feed.hide, name="hide"),
    path("recs/notes/<int:note_id>/related/", feed.related, name="related"),
]
