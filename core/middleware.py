from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from core.errors import DomainError


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
