"""Notification inboxes (see community/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def notifications(request):
    return render(request, "community/notifications.html", {})


urlpatterns: list = [
    path("notifications/", notifications, name="notifications"),
]
