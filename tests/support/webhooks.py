"""Payment gateway deliveries signed (or forged) the way the sandbox gateway signs them."""

from __future__ import annotations

import json
import secrets
import time

from mall.models import Payment
from mall.payments.sandbox import SIGNATURE_HEADER, sandbox_signature

WEBHOOK_URL = "/api/payments/webhook/sandbox/"


def event_for(payment: Payment, *, kind: str = "payment.succeeded", **overrides) -> dict:
    """The gateway's event about ``payment``: paid in full by the order's purchaser unless overridden."""
    order = payment.order
    event = {
        "id": "evt_" + secrets.token_hex(12),
        "type": kind,
        "reference": payment.reference,
        "amount": str(payment.amount),
        "currency": "CNY",
        "payer_name": order.buyer_name,
        "payer_id_number": order.buyer_id_number,
        "created": int(time.time()),
    }
    return {**event, **overrides}


def signed(event: dict, *, timestamp: int | None = None, secret: bytes | None = None) -> tuple[bytes, dict]:
    """The raw body and headers of a delivery, as the gateway sends them."""
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    t = int(time.time()) if timestamp is None else timestamp
    return body, {SIGNATURE_HEADER: sandbox_signature(body, timestamp=t, secret=secret)}


def post_webhook(client, body: bytes, headers: dict):
    """Post a delivery to the webhook endpoint through the test client."""
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return client.post(WEBHOOK_URL, data=body, content_type="application/json", **extra)


def deliver(event: dict):
    """The gateway's delivery, received in-process exactly as the endpoint receives it."""
    from mall.services.payments import payment_webhook_receive

    body, headers = signed(event)
    return payment_webhook_receive(body=body, headers=headers)
