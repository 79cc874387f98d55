"""The flash-sale API's shapes. The herd's endpoints (buy, poll) build their small answers by hand: a
serializer round costs a tenth of the buy endpoint's time, so these classes mostly document the schema."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers


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

    phase = serializers.SerializerMethodField()

    def get_remaining(self, sale) -> int:
        return self.context["remaining"].get(sale.pk, sale.remaining)

    def get_phase(self, sale) -> str:
        return sale.phase_at(timezone.now())


SALE_PHASES_OUTPUT = inline_serializer(
    "FlashSalePhases", {"sales": serializers.DictField(child=serializers.CharField())}
)


class FlashBuyInput(serializers.Serializer):
    # The schema of the body; the view reads the two fields itself and flash_buy validates them.
    request_id = serializers.RegexField(r"^[A-Za-z0-9_-]{8,64}$")
    quantity = serializers.IntegerField(min_value=1, max_value=10, default=1)


def _buy_answer(name: str):
    return inline_serializer(
        name,
        {
            "request_id": serializers.CharField(),
            "status": serializers.CharField(),
            "message": serializers.CharField(),
        },
    )


SALE_LIST_OUTPUT = inline_serializer(
    "FlashSales", {"server_time": serializers.DateTimeField(), "sales": SaleOutput(many=True)}
)
BUY_PASS_OUTPUT = inline_serializer(
    "FlashBuyPass", {"buy_pass": serializers.CharField(), "expires_at": serializers.DateTimeField()}
)
ADMITTED_OUTPUT = _buy_answer("FlashAdmitted")
REFUSED_OUTPUT = _buy_answer("FlashRefused")
REQUEST_STATUS_OUTPUT = inline_serializer(
    "FlashRequestStatus",
    {
        "status": serializers.CharField(),
        "order_number": serializers.CharField(allow_null=True),
        "order_state": serializers.CharField(allow_null=True),
    },
)
PONG_OUTPUT = inline_serializer("Pong", {"ok": serializers.BooleanField()})
