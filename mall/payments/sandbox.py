"""The sandbox payment gateway: a local stand-in that behaves like a real one.

Two halves live here. ``SandboxProvider`` is our side of the integration (what a real provider module
would be). The rest plays the remote gateway: its hosted page decides once per payment, builds the
event, and delivers it through a Celery task signed the way real gateways sign (Stripe's scheme):
``X-Sandbox-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.tasks import enqueue_on_commit
from mall.payments.base import (
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    PaymentProvider,
    WebhookBadSignature,
    WebhookMalformed,
    WebhookStale,
)

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Sandbox-Signature"
REQUIRED_FIELDS = ("id", "type", "reference", "amount", "currency")


def _secret() -> bytes:
    return settings.SANDBOX_PAYMENT_SECRET.encode()


def sandbox_signature(body: bytes, *, timestamp: int, secret: bytes | None = None) -> str:
    """The signature header value for ``body`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret or _secret(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _header(headers: Mapping[str, str], name: str) -> str:
    # Django's request.headers is case-insensitive; a plain dict from the in-process delivery is not.
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value or ""


class SandboxProvider(PaymentProvider):
    name = "sandbox"

    def start(self, payment) -> str:
        return reverse("payments:sandbox_pay", args=[payment.reference])

    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> dict:
        header = _header(headers, SIGNATURE_HEADER)
        timestamp, candidates = None, []
        for part in header.split(","):
            key, _sep, value = part.strip().partition("=")
            if key == "t" and value.isdigit():
                timestamp = int(value)
            elif key == "v1" and value:
                candidates.append(value)
        if timestamp is None or not candidates:
            raise WebhookBadSignature(_("The webhook signature header is missing or malformed."))
        expected = sandbox_signature(body, timestamp=timestamp).rpartition("v1=")[2]
        # Constant-time comparison: a forger learns nothing from how long the refusal took.
        if not any(hmac.compare_digest(expected.encode(), c.encode()) for c in candidates):
            raise WebhookBadSignature(_("The webhook signature does not match."))
        # The timestamp is inside the signature, so checking it after the MAC stops replays of old
        # deliveries without letting anyone pick the timestamp.
        if abs(time.time() - timestamp) > settings.PAYMENT_WEBHOOK_TOLERANCE:
            raise WebhookStale(_("The webhook timestamp is outside the tolerance."))
        try:
            event = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise WebhookMalformed(_("The webhook body is not JSON.")) from None
        if not isinstance(event, dict) or any(
            not isinstance(event.get(k), str) or not 0 < len(event[k]) <= 64 for k in REQUIRED_FIELDS
        ):
            raise WebhookMalformed(_("The webhook event lacks required fields."))
        try:
            event["amount"] = Decimal(event["amount"])
        except InvalidOperation:
            raise WebhookMalformed(_("The webhook amount is not a number.")) from None
        return event

    def refund(self, payment, amount: Decimal, reason: str, *, idempotency_key: str = "") -> str:
        if amount <= 0 or amount > payment.amount:
            raise DomainError(_("A refund must be more than zero and at most the amount paid."))
        # The same idempotency key always names the same refund, as a real gateway's would.
        key = idempotency_key or f"{payment.reference}:{amount}"
        return "sbx_re_" + hmac.new(_secret(), key.encode(), hashlib.sha256).hexdigest()[:24]


# --- The remote half: what the gateway does when the payer clicks on its hosted page -------------------


def sandbox_event(*, payment, outcome: str, payer_name: str, payer_id_number: str) -> dict:
    return {
        "id": "evt_" + secrets.token_hex(12),
        "type": PAYMENT_SUCCEEDED if outcome == "pay" else PAYMENT_FAILED,
        "reference": payment.reference,
        "amount": str(payment.amount),
        "currency": payment.order.currency,
        "payer_name": payer_name,
        "payer_id_number": payer_id_number,
        "created": int(time.time()),
    }


def _decision_key(reference: str) -> str:
    return f"sandbox-pay:decided:{reference}"


def sandbox_decision(reference: str) -> str | None:
    """The event id the gateway already sent for this payment, if the payer has decided."""
    return cache.get(_decision_key(reference))


def sandbox_decide(*, payment, outcome: str, payer_name: str, payer_id_number: str) -> dict | None:
    """The payer clicked Pay or Fail. The gateway takes one decision per payment (a second click, another
    tab, a reload of the POST: nothing more); then it delivers the event. None if already decided."""
    event = sandbox_event(
        payment=payment, outcome=outcome, payer_name=payer_name, payer_id_number=payer_id_number
    )
    if not cache.add(_decision_key(payment.reference), event["id"], timeout=30 * 24 * 3600):
        return None
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    enqueue_on_commit("mall.tasks.sandbox_deliver_task", body)
    logger.info("sandbox gateway: %s for %s, event %s", event["type"], payment.reference, event["id"])
    return event


def sandbox_deliver(*, body: str) -> int:
    """Sign and deliver one event; returns the receiver's HTTP status. Signed at each attempt, as real
    gateways do, so a retried delivery is not refused as stale. Raises OSError when it should be retried."""
    raw = body.encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sandbox_signature(raw, timestamp=int(time.time())),
    }
    url = settings.PAYMENT_WEBHOOK_URL
    if url:
        request = urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own setting
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        if status >= 500:
            raise OSError(f"webhook receiver answered {status}")
    else:
        from mall.services.payments import payment_webhook_receive

        status = payment_webhook_receive(body=raw, headers=headers).status
    if status >= 400:
        logger.warning("sandbox gateway: webhook delivery refused with %s at %s", status, timezone.now())
    return status
