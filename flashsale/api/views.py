"""Flash-sale API views: list sales, issue a buy pass, buy (202 + request id), poll a request."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.client import client_address
from core.errors import DomainError
from flashsale.api import serializers
from flashsale.api.authentication import BuyPassAuthentication
from flashsale.selectors.buy_requests import request_status
from flashsale.selectors.sales import access_sale, remaining_units, sale_phases, sales_visible
from flashsale.services import admission


class SaleListApi(APIView):
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        responses=serializers.SALE_LIST_OUTPUT,
        summary="Live and upcoming flash sales, with the server's clock for countdowns",
    )
    def get(self, request):
        sales = list(sales_visible())
        remaining = remaining_units(sales)
        return Response(
            {
                "server_time": timezone.now(),
                "sales": serializers.SaleOutput(sales, many=True, context={"remaining": remaining}).data,
            }
        )


class SalePhasesApi(APIView):
    """What open pages poll every few seconds: is each of their sales still live (a freeze or an end by an
    operator shows at once, not at the end time the page counted down to)."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        parameters=[OpenApiParameter("ids", str, description="Sale ids, comma-separated (at most 50)")],
        responses=serializers.SALE_PHASES_OUTPUT,
        summary="Each sale's phase: live, upcoming, paused or ended",
    )
    def get(self, request):
        ids = [
            part
            for part in request.query_params.get("ids", "").split(",")
            if part.isascii() and part.isdigit()
        ]
        phases = sale_phases(sale_ids=[int(i) for i in ids if len(i) <= 18])
        return Response({"sales": {str(sale_id): phase for sale_id, phase in phases.items()}})


class BuyPassApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=serializers.BUY_PASS_OUTPUT,
        summary="A pass for one sale, to send as the X-Flash-Pass header when buying (no session lookup)",
    )
    def post(self, request, sale_id: int):
        sale = access_sale(sale_id=sale_id, published_only=True)
        buy_pass, expires_at = admission.buy_pass_for(user_id=request.user.pk, sale=sale)
        return Response({"buy_pass": buy_pass, "expires_at": expires_at})


class _SoldOutHere(Exception):
    """This process saw the sale sold out moments ago."""


class BuyApi(APIView):
    api_error_statuses = (429, 503)  # flash_buy: a client past its budget; Redis unreachable
    """The herd's endpoint: no database query. A refusal is an answer (409), not an error."""

    authentication_classes = [BuyPassAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    permission_classes = [IsAuthenticated]

    def perform_authentication(self, request):
        # Cheap rejection (docs/architecture.md, "Cheap rejections and the retry header"): once this worker has seen the sale sold out it
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
        request=serializers.FlashBuyInput,
        responses={202: serializers.ADMITTED_OUTPUT, 409: serializers.REFUSED_OUTPUT},
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
        # The body is read by hand, not through FlashBuyInput: a serializer round costs a tenth of this
        # endpoint's time, and flash_buy validates both fields itself.
        data = request.data if isinstance(request.data, dict) else {}  # a QueryDict is a dict too
        try:
            quantity = int(data.get("quantity") or 1)
        except (TypeError, ValueError):
            raise DomainError(_("Choose between 1 and 10."), field="quantity") from None
        answer = admission.flash_buy(
            sale_id=sale_id,
            user_id=request.user.pk,
            request_id=str(data.get("request_id") or ""),
            ip=client_address(request),
            quantity=quantity,
            retry=self._is_retry(request),
        )
        return self._answer(answer)


class RequestStatusApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=serializers.REQUEST_STATUS_OUTPUT,
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

    @extend_schema(request=None, responses=serializers.PONG_OUTPUT, summary="Baseline for benchmarks")
    def post(self, request):
        return Response({"ok": True})
