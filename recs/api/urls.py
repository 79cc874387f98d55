from django.urls import path

from recs.api import views

urlpatterns = [
    path("feed/for-you/", views.ForYouFeedApi.as_view(), name="api-feed-for-you"),
    path("notes/<int:note_id>/related/", views.RelatedNotesApi.as_view(), name="api-note-related"),
]
