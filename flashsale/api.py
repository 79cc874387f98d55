"""Flash-sale API: list sales, buy (202 + request id), poll a request."""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from flashsale import selectors
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


class BuyApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        request_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$")
        quantity = serializers.IntegerField(min_value=1, max_value=10, default=1)

    @extend_schema(
        request=InputSerializer,
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
        summary="Ask for a unit: 202 when admitted (poll the request), 409 with the reason otherwise",
    )
    def post(self, request, sale_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = admission.flash_buy(
            sale_id=sale_id,
            user_id=request.user.pk,
            request_id=data.validated_data["request_id"],
            ip=request.META.get("REMOTE_ADDR", ""),
            quantity=data.validated_data["quantity"],
        )
        code = status.HTTP_202_ACCEPTED if answer.status == admission.ADMITTED else status.HTTP_409_CONFLICT
        return Response(
            {"request_id": answer.request_id, "status": answer.status, "message": answer.message}, status=code
        )


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
        responses=inline_serializer("Pong", {"ok": serializers.BooleanField()}),
        summary="Baseline for benchmarks",
    )
    def post(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("flash/sales/", SaleListApi.as_view(), name="api-flash-sales"),
    path("flash/sales/<int:sale_id>/buy/", BuyApi.as_view(), name="api-flash-buy"),
    path(
        "flash/sales/<int:sale_id>/requests/<str:request_id>/",
        RequestStatusApi.as_view(),
        name="api-flash-request",
    ),
    path("flash/ping/", TrivialApi.as_view(), name="api-flash-ping"),
]
