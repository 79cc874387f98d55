"""The OpenAPI side of every API: one error body and one rule for which refusals an operation documents.

Every API answers its refusals through ``core.api.exception_handler``, so every operation shares one error
body (``ErrorSerializer``) and ``ApiSchema`` (``DEFAULT_SCHEMA_CLASS``) adds the refusals it can answer. A
view documents an extra refusal (a domain limit's 429, say) by naming the status in ``api_error_statuses``,
or describes one itself with ``extend_schema(responses={429: error_response(429, "...")})``. It is a module
of its own because drf-spectacular's AutoSchema imports DRF's views, which import ``core.api``'s parser.
"""

from __future__ import annotations

import uritemplate
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.permissions import AllowAny


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class ErrorDetailField(serializers.CharField):
    """A message; or, where the form has a field named ``detail`` (an address's street line, a report's
    detail), that field's messages as a list (found by the negative fuzzing: it was typed a string)."""


class ErrorSerializer(serializers.Serializer):
    """A refusal: ``detail`` (the message to show) and ``code``, plus ``field`` when one field is at
    fault; a form's field errors come instead as ``{"<field>": ["message", ...]}``."""

    detail = ErrorDetailField(
        required=False,
        help_text="The message to show (a list when it is the errors of a field named detail).",
    )
    code = serializers.CharField(required=False, help_text="Machine-readable reason, e.g. bad_cursor.")
    field = serializers.CharField(required=False, help_text="The field at fault, when one is.")


ERROR_DESCRIPTIONS = {
    400: "Bad input: a field error, a malformed body or parameter, an unknown enum value, a bad cursor.",
    403: "Not signed in, a bad or expired token, or not allowed.",
    404: "No such item (or it is someone else's).",
    409: "The item's state forbids this now (the message says why).",
    415: "The body's media type is not one this operation reads.",
    429: "Too many requests; try again later.",
    503: "A service this operation needs is unreachable; try again.",
}


def error_response(status_code: int, description: str | None = None) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description or ERROR_DESCRIPTIONS[status_code])


ERROR_RESPONSES = {code: error_response(code) for code in ERROR_DESCRIPTIONS}
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the refusals every operation can answer, each with
    ``ErrorSerializer``'s body, unless the view documents that status itself:

    - 400 always (a NUL in the query string alone is one, core.middleware.ForgedInputMiddleware);
    - 403 when the view authenticates anyone (a bad token is refused even where anonymity is allowed);
    - 404 when the path names an item, and on writes (whose body names items); 409 on writes (a state
      that forbids the change);
    - 415 on writes that take a body; 429 when the view is throttled;
    - whatever the view names in ``api_error_statuses`` (statuses, or a dict of them by method).
    """

    def _error_statuses(self) -> set[int]:
        named = getattr(self.view, "api_error_statuses", ())
        statuses = {400, *(named.get(self.method, ()) if isinstance(named, dict) else named)}
        if self.view.get_authenticators() or any(
            not isinstance(permission, AllowAny) for permission in self.view.get_permissions()
        ):
            statuses.add(403)
        if uritemplate.variables(self.path) or self.method in WRITE_METHODS:
            statuses.add(404)  # a row the path names, or one the body names (an address, a SKU...)
        if self.method in WRITE_METHODS:
            statuses.add(409)
        if self.view.get_throttles():
            statuses.add(429)
        if self.method in {"POST", "PUT", "PATCH"} and self.get_request_serializer() is not None:
            statuses.add(415)  # a body in a media type the operation does not read
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in sorted(self._error_statuses()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERROR_RESPONSES[code], str(code), direction=direction
                )
        return responses
