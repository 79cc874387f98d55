import sys
from pathlib import Path

from django import db
from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django.views.static import serve

from core import health
from core import metrics as core_metrics


@never_cache
@require_safe
def healthz(request):
    """Liveness: this process answers requests. Nothing else is asked, so a database or Redis outage
    does not get every web process restarted; /readyz says whether it can serve (docs/operations.md)."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    """Readiness: PostgreSQL, Redis, the broker and a recent beat heartbeat, each with a short timeout;
    503 naming the ones that failed."""
    checks = health.readiness()
    failed = sorted(name for name, answer in checks.items() if answer != "ok")
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


@never_cache
@require_safe
def metrics(request):
    """Prometheus metrics for a staff session or a bearer of METRICS_TOKEN; a 404 for anyone else."""
    if not core_metrics.metrics_allowed(request):
        raise Http404
    return HttpResponse(core_metrics.metrics_text(), content_type=core_metrics.CONTENT_TYPE_LATEST)


def _error_page(request, status: int, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


@requires_csrf_token
def bad_request(request, exception=None):
    return _error_page(request, 400, _("That request could not be understood."))


@requires_csrf_token
def permission_denied(request, exception=None):
    return _error_page(request, 403, _("You are not allowed to do that."))


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error_page(request, 404, _("This page does not exist, or it is not yours to see."))


@requires_csrf_token
def server_error(request):
    """A 500, or a 503 when the database could not be reached (restarting, failing over): a shopper is
    told to try again in a moment, and the page is rendered without anything that would ask the
    database again (no base template, no context processors)."""
    if isinstance(sys.exc_info()[1], DATABASE_UNREACHABLE):
        return unavailable(request)
    return _error_page(request, 500, _("Something went wrong on our side. Please try again."))


# What a query raises when PostgreSQL is down, restarting or unreachable.
DATABASE_UNREACHABLE = (db.OperationalError, db.InterfaceError)
RETRY_AFTER_SECONDS = 5


def unavailable(request):
    message = _("The site is catching its breath. Please try again in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "unavailable"}, status=503)
    else:
        response = HttpResponse(render_to_string("unavailable.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


# Uploads as received are kept to make renditions from and are never served: they may carry EXIF.
PRIVATE_MEDIA_PREFIXES = ("notes/originals/",)


def media(request, path: str):
    """Local media for machines without object storage (SERVE_MEDIA); originals stay private. The decision
    is taken on the resolved file, so ``notes//originals``, ``notes/./originals``, ``x/../notes/originals``
    and symbolic links all name the same private folder."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path.lstrip("/")).resolve()
    private = [root / prefix for prefix in PRIVATE_MEDIA_PREFIXES]
    if not target.is_relative_to(root) or any(target.is_relative_to(folder) for folder in private):
        raise Http404
    return serve(request, target.relative_to(root).as_posix(), document_root=root)
