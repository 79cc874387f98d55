"""The buy pass as DRF authentication: ``X-Flash-Pass: <pass from BuyPassApi>`` names the buyer with no
query at all. Without the header the site's usual authentication (session, token) takes over."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from flashsale.services import admission


class _PassHolder:
    """The buyer a buy pass names: an id, nothing loaded."""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, pk: int) -> None:
        self.pk = self.id = pk


class BuyPassAuthentication(BaseAuthentication):
    """A buy request authenticated by its pass, with no database or session lookup."""

    def authenticate(self, request):
        token = request.META.get("HTTP_X_FLASH_PASS")
        if not token:
            return None
        user_id = admission.buy_pass_read(token=token, sale_id=request.parser_context["kwargs"]["sale_id"])
        if user_id is None:
            raise AuthenticationFailed(_("This buy pass is not valid for this sale; reload the sale's page."))
        return _PassHolder(user_id), None


class BuyPassScheme(OpenApiAuthenticationExtension):
    """Documents the buy pass in the OpenAPI schema as an API key in the X-Flash-Pass header."""

    target_class = BuyPassAuthentication
    name = "flashPass"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Flash-Pass"}
