"""The benchmark's baseline: a Saleor-style purchase that decides in PostgreSQL, synchronously, per request.

What Saleor (saleor/warehouse/management.py) and django-oscar do for ordinary checkout: in one
transaction lock the stock row with ``select_for_update``, check what is left, write the order and its
line, move the counter, commit. Correct, but every buyer of a flash sale queues on the same row lock and
holds a database connection while it waits. Mounted only by benchmarks/urls.py; NOT part of the product.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Sum
from django.urls import path
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from benchmarks.sale_orders import sale_order_write
from flashsale.models import FlashSale
from mall.models import OrderLine


def saleor_style_purchase(
    *, sale_id: int, user_id: int, request_id: str, ip: str = "", quantity: int = 1
) -> str:
    with transaction.atomic():
        sale = FlashSale.objects.select_for_update().select_related("sku__product").get(pk=sale_id)
        if sale.quota - sale.sold < quantity:
            return "sold_out"
        bought = (
            OrderLine.objects.filter(order__user_id=user_id, referral=sale.referral).aggregate(
                n=Sum("quantity")
            )["n"]
            or 0
        )
        if bought + quantity > sale.per_user_limit:
            return "over_limit"
        sale_order_write(sale=sale, user_id=user_id, request_id=request_id, quantity=quantity, prefix="SL")
        FlashSale.objects.filter(pk=sale_id).update(sold=F("sold") + quantity)
    return "admitted"


class SaleorStyleBuyApi(APIView):
    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        request_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$")
        quantity = serializers.IntegerField(min_value=1, max_value=10, default=1)

    def post(self, request, sale_id: int):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answer = saleor_style_purchase(
            sale_id=sale_id,
            user_id=request.user.pk,
            request_id=data.validated_data["request_id"],
            quantity=data.validated_data["quantity"],
        )
        code = status.HTTP_201_CREATED if answer == "admitted" else status.HTTP_409_CONFLICT
        return Response({"request_id": data.validated_data["request_id"], "status": answer}, status=code)


urlpatterns = [path("bench/saleor/sales/<int:sale_id>/buy/", SaleorStyleBuyApi.as_view())]
