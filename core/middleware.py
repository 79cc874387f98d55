from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.errors import DomainError

logger = logging.getLogger(__name__)


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy header from ``settings.CSP_DIRECTIVES``."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header_value = "; ".join(f"{k} {v}" for k, v in settings.CSP_DIRECTIVES.items())
        self.header_name = (
            "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(self.header_name, self.header_value)
        return response


class DomainErrorMiddleware:
    """The page-level handler: a domain error raised by a view becomes a 4xx page with its message."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if request.path.startswith("/api/"):
            return None
        template = "partials/error_toast.html" if getattr(request, "htmx", False) else "error.html"
        return render(
            request,
            template,
            {"message": exception.message, "status": exception.status_code},
            status=exception.status_code,
        )


def _has_nul(values) -> bool:
    return any("\x00" in key or any("\x00" in value for value in items) for key, items in values.lists())


# No id, slug, token or file name here comes near this; a longer segment is input no page can mean.
MAX_PATH_SEGMENT_LENGTH = 1_000


def _is_forged_path(path: str) -> bool:
    return "\x00" in path or any(len(segment) > MAX_PATH_SEGMENT_LENGTH for segment in path.split("/"))


def _is_row_id(value: str) -> bool:
    return value.isascii() and value.isdigit() and len(value) <= 18


class ForgedInputMiddleware:
    """Input no page can mean, refused before any view passes it to PostgreSQL (where it was a 500):

    - a NUL character in a query or form field (PostgreSQL can neither store nor compare one): 400;
    - the same rule for the path, read decoded (``/topics/%00/``), and a path segment longer than
      ``MAX_PATH_SEGMENT_LENGTH`` characters: 400, whichever view the path would reach;
    - in the admin, an action on selected rows whose ids are not ids: nothing done, the list again with
      a message (Django's admin filters ``pk__in`` with whatever was posted);
    - a form body that cannot be read (a malformed multipart body, a form not in UTF-8): 400 with one
      log line (Django's own answer logged the parser's whole traceback each time).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 - parsed here, where a malformed body can be answered
            except (MultiPartParserError, BadRequest) as exc:
                logger.warning("unreadable form body on %s: %s", request.path, exc)
                return self._answer(request, _("The form in this request could not be read."))
        if (
            _is_forged_path(request.path)
            or _has_nul(request.GET)
            or (request.method == "POST" and _has_nul(request.POST))
        ):
            return self._refuse(request)
        if request.method == "POST" and request.path.startswith("/admin/") and "action" in request.POST:
            selected = request.POST.getlist("_selected_action")
            if not all(_is_row_id(value) for value in selected):
                from django.contrib import messages
                from django.http import HttpResponseRedirect

                messages.error(request, _("Those rows could not be read; nothing was changed."))
                return HttpResponseRedirect(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _refuse(request):
        if "\x00" in request.path or not _is_forged_path(request.path):
            message = _("This request holds a character no field can take (NUL); nothing was changed.")
        else:
            message = _("This address has a part too long to be an id; nothing was changed.")
        return ForgedInputMiddleware._answer(request, message)

    @staticmethod
    def _answer(request, message):
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"detail": message}, status=400)
        return render(request, "error.html", {"message": message, "status": 400}, status=400)
