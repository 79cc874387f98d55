"""Reporting notes and comments (see community/urls.py)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path


@login_required
def report_note(request, note_id: int):
    return render(request, "community/report_form.html", {})


@login_required
def report_comment(request, comment_id: int):
    return render(request, "community/report_form.html", {})


urlpatterns: list = [
    path("notes/<int:note_id>/report/", report_note, name="report_note"),
    path("comments/<int:comment_id>/report/", report_comment, name="report_comment"),
]
