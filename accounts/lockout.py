from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, response=None, credentials=None, *args, **kwargs):
    """What django-axes answers once a username and IP have failed too often: 429 with a clear message."""
    message = _("Too many failed sign-in attempts. Please wait 15 minutes and try again.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)
