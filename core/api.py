"""DRF plumbing every API shares: the one exception handler (domain errors become 4xx JSON with a
message), the JSON parser and the anonymous rate limit."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError
from rest_framework import parsers, status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from core.client import client_address
from core.errors import DomainError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST)
    # Imported here: rest_framework.views reads the API settings, which name this module's parser, so a
    # module-level import makes ``import core.api`` circular when it is the first to load DRF's views.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


class JSONParser(parsers.JSONParser):
    """DRF's parser answers malformed JSON with a 400 but lets arrays nested past the decoder's depth
    escape as a RecursionError (a 500): every API endpoint parses JSON with this one instead."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("The JSON body is nested too deeply.")) from None


class AnonymousThrottle(AnonRateThrottle):
    """DRF's anonymous rate limit (``DEFAULT_THROTTLE_RATES["anon"]``, per client address), failing open:
    when Redis is unreachable the request goes through, since a brake on abuse is not worth a 500."""

    def get_ident(self, request):
        return client_address(request)  # not DRF's own X-Forwarded-For reading: one answer site-wide

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except (ConnectionInterrupted, RedisError):
            logger.warning("rate limit skipped: the cache is unreachable")
            return True
