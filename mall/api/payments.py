"""Payments API: start paying an order (the answer says where to send the buyer), read a payment, and
the provider's webhook."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import JSONParser
from core.errors import NotFound
from core.gateways import sandbox_allowed
from mall.models import Payment
from mall.payments import get_provider
from mall.selectors.orders import access_order
from mall.selectors.payments import access_payment
from mall.services.payments import payment_create, payment_webhook_receive


class PaymentOutput(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number")
    order_state = serializers.CharField(source="order.state")

    class Meta:
        model = Payment
        fields = [
            "reference",
            "provider",
            "order",
            "order_state",
            "amount",
            "state",
            "created_at",
            "succeeded_at",
        ]


class PaymentStartOutput(PaymentOutput):
    redirect_url = serializers.CharField()

    class Meta(PaymentOutput.Meta):
        fields = [*PaymentOutput.Meta.fields, "redirect_url"]


class PaymentStartApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={201: PaymentStartOutput},
        summary="Start paying one of your unpaid orders",
        description="Creates a payment attempt and answers the provider's page to send the buyer to. "
        "Another user's order answers 404; a cancelled, expired or paid order 409 with the reason.",
    )
    def post(self, request, number: str):
        order = access_order(user=request.user, number=number)
        payment = payment_create(order=order, user=request.user)
        payment.redirect_url = request.build_absolute_uri(get_provider(payment.provider).start(payment))
        return Response(PaymentStartOutput(payment).data, status=status.HTTP_201_CREATED)


class PaymentDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: PaymentOutput}, summary="One of your payments")
    def get(self, request, reference: str):
        return Response(PaymentOutput(access_payment(user=request.user, reference=reference)).data)


class SandboxWebhookApi(APIView):
    """The sandbox gateway's signed event. No session or token: the signature is the authentication, and
    the raw body (what the signature covers) is read untouched, never parsed by DRF first. The event is
    JSON: any other body is a 415 before the body is read (a form's body has already been parsed by the
    middleware, and Django can no longer give it raw: that was a 500)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]  # what the schema offers; the view itself reads request.body

    @extend_schema(
        request=inline_serializer(
            "SandboxPaymentEvent",
            {
                "id": serializers.CharField(),
                "type": serializers.ChoiceField(["payment.succeeded", "payment.failed"]),
                "reference": serializers.CharField(),
                "amount": serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True),
                "currency": serializers.CharField(),
                "payer_name": serializers.CharField(),
                "payer_id_number": serializers.CharField(),
                "created": serializers.IntegerField(),
            },
        ),
        responses={
            200: OpenApiResponse(description="Applied, or a duplicate event (nothing changes)."),
            400: OpenApiResponse(
                description="Bad signature, stale timestamp, malformed, or amount mismatch."
            ),
            404: OpenApiResponse(description="No payment has this reference."),
            415: OpenApiResponse(description="The body is not JSON."),
        },
        summary="Sandbox gateway webhook",
        description='Signed with header `X-Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` '
        "using SANDBOX_PAYMENT_SECRET; refused when older than PAYMENT_WEBHOOK_TOLERANCE seconds. Events are "
        "recorded once by id: a duplicate is answered 200 and changes nothing.",
        auth=[],
    )
    def post(self, request):
        if not sandbox_allowed():  # production: the sandbox gateway does not exist
            raise NotFound(_("No such payment."))
        if request.content_type.partition(";")[0].strip().lower() != "application/json":
            raise UnsupportedMediaType(request.content_type)
        result = payment_webhook_receive(
            body=request.body, headers=request.headers, provider=get_provider("sandbox")
        )
        return Response(result.body, status=result.status)
