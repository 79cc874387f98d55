"""Flash-sale API: list sales, buy (202 + request id), poll a request."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.errors import DomainError, NotFound
from flashsale import selectors
from flashsale.models import FlashSale
from flashsale.services import admission
from flashsale.services.status import request_status


class SaleOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    product_name = serializers.CharField(source="sku.product.name")
    sku_name = serializers.CharField(source="sku.name")
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    regular_price = serializers.DecimalField(source="sku.price", max_digits=12, decimal_places=2)
    quota = serializers.IntegerField()
    remaining = serializers.SerializerMethodField()
    per_user_limit = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    is_cross_border = serializers.BooleanField()

    def get_remaining(self, sale) -> int:
        return self.context["remaining"].get(sale.pk, sale.remaining)


class SaleListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        responses=inline_serializer(
            "FlashSales", {"server_time": serializers.DateTimeField(), "sales": SaleOutput(many=True)}
        ),
        summary="Live and upcoming flash sales, with the server's clock for countdowns",
    )
    def get(self, request):
        sales = list(selectors.sales_visible())
        remaining = selectors.remaining_units(sales)
        return Response(
            {
                "server_time": timezone.now(),
                "sales": SaleOutput(sales, many=True, context={"remaining": remaining}).data,
            }
        )


class _PassHolder:
    """The buyer a buy pass names: an id, nothing loaded."""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, pk: int) -> None:
        self.pk = self.id = pk


class BuyPassAuthentication(BaseAuthentication):
    """``X-Flash-Pass: <pass from BuyPassApi>``: a buy request authenticated with no query at all.
    Without the header the site's usual authentication (session, token) takes over."""

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


class BuyPassApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "FlashBuyPass", {"buy_pass": serializers.CharField(), "expires_at": serializers.DateTimeField()}
        ),
        summary="A pass for one sale, to send as the X-Flash-Pass header when buying (no session lookup)",
    )
    def post(self, request, sale_id: int):
        ends_at = (
            FlashSale.objects.filter(pk=sale_id, state=FlashSale.State.PUBLISHED)
            .values_list("ends_at", flat=True)
            .first()
        )
        if ends_at is None:
            raise NotFound(_("No such sale."))
        buy_pass = admission.buy_pass_issue(user_id=request.user.pk, sale_id=sale_id, expires_at=ends_at)
        return Response({"buy_pass": buy_pass, "expires_at": ends_at})


class _SoldOutHere(Exception):
    """This process saw the sale sold out moments ago."""


class BuyApi(APIView):
    """The herd's endpoint: no database query. A refusal is an answer (409), not an error."""

    authentication_classes = [BuyPassAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    permission_classes = [IsAuthenticated]

    class FlashBuyInput(serializers.Serializer):
        # The schema of the body; the view reads the two fields itself and flash_buy validates them
        # (a serializer round costs a tenth of this endpoint's time).
        request_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$")
        quantity = serializers.IntegerField(min_value=1, max_value=10, default=1)

    def perform_authentication(self, request):
        # Cheap rejection (DESIGN.md section 5 step 6): once this worker has seen the sale sold out it
        # answers so before authenticating, with neither a database query nor Redis, until the memory
        # expires or a unit returns. "Sold out" tells nobody anything private.
        if not self._is_retry(request) and admission.sold_out_known(self.kwargs["sale_id"]):
            raise _SoldOutHere
        super().perform_authentication(request)

    @staticmethod
    def _is_retry(request) -> bool:
        # A client re-sending a request id (after a timeout or a 5xx) says so: the script, not this
        # worker's memory, then answers, with the first answer if that request was admitted.
        return request.META.get("HTTP_X_FLASH_RETRY") == "1"

    def handle_exception(self, exc):
        if isinstance(exc, _SoldOutHere):
            try:
                request_id = str(self.request.data.get("request_id") or "")[:64]
            except Exception:  # noqa: BLE001 - an unreadable body still hears "sold out"
                request_id = ""
            return self._answer(admission.Answer(admission.SOLD_OUT, request_id))
        return super().handle_exception(exc)

    @staticmethod
    def _answer(answer: admission.Answer) -> Response:
        code = status.HTTP_202_ACCEPTED if answer.status == admission.ADMITTED else status.HTTP_409_CONFLICT
        response = Response(
            {"request_id": answer.request_id, "status": answer.status, "message": answer.message}, status=code
        )
        # Thousands of refusals a second are the expected shape of a flash sale, not client errors:
        # Django's request logger would write a warning line for each (Django's own "logged" mark).
        response._has_been_logged = True
        return response

    @extend_schema(
        request=FlashBuyInput,
        responses={
            202: inline_serializer(
                "FlashAdmitted",
                {
                    "request_id": serializers.CharField(),
                    "status": serializers.CharField(),
                    "message": serializers.CharField(),
                },
            ),
            409: inline_serializer(
                "FlashRefused",
                {
                    "request_id": serializers.CharField(),
                    "status": serializers.CharField(),
                    "message": serializers.CharField(),
                },
            ),
        },
        parameters=[
            OpenApiParameter(
                "X-Flash-Retry",
                str,
                OpenApiParameter.HEADER,
                description="Send 1 when re-sending a request id after a timeout or a 5xx: the answer is "
                "then the first answer to that id, never a worker's remembered sold out.",
            )
        ],
        summary="Ask for a unit: 202 when admitted (poll the request), 409 with the reason otherwise",
    )
    def post(self, request, sale_id: int):
        data = request.data if isinstance(request.data, dict) else {}  # a QueryDict is a dict too
        try:
            quantity = int(data.get("quantity") or 1)
        except (TypeError, ValueError):
            raise DomainError(_("Choose between 1 and 10."), field="quantity") from None
        answer = admission.flash_buy(
            sale_id=sale_id,
            user_id=request.user.pk,
            request_id=str(data.get("request_id") or ""),
            ip=request.META.get("REMOTE_ADDR", ""),
            quantity=quantity,
            retry=self._is_retry(request),
        )
        return self._answer(answer)


class RequestStatusApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "FlashRequestStatus",
            {
                "status": serializers.CharField(),
                "order_number": serializers.CharField(allow_null=True),
                "order_state": serializers.CharField(allow_null=True),
            },
        ),
        summary="Poll a buy request: pending, order (with its number), sold_out, over_limit or unknown",
    )
    def get(self, request, sale_id: int, request_id: str):
        result = request_status(sale_id=sale_id, user_id=request.user.pk, request_id=request_id)
        return Response(
            {
                "status": result.status,
                "order_number": result.order.number if result.order else None,
                "order_state": result.order.state if result.order else None,
            }
        )


class TrivialApi(APIView):
    """The benchmarks' baseline: the same stack (auth, middleware, DRF) doing nothing."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer("Pong", {"ok": serializers.BooleanField()}),
        summary="Baseline for benchmarks",
    )
    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("flash/sales/", SaleListApi.as_view(), name="api-flash-sales"),
    path("flash/sales/<int:sale_id>/buy/", BuyApi.as_view(), name="api-flash-buy"),
    path("flash/sales/<int:sale_id>/pass/", BuyPassApi.as_view(), name="api-flash-pass"),
    path(
        "flash/sales/<int:sale_id>/requests/<str:request_id>/",
        RequestStatusApi.as_view(),
        name="api-flash-request",
    ),
    path("flash/ping/", TrivialApi.as_view(), name="api-flash-ping"),
]
