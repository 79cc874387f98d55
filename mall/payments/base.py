"""The payment provider interface. A provider sends the buyer to its hosted page, tells us what happened
through signed webhooks, and refunds. Everything provider-specific stays behind these three calls."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

from core.errors import DomainError, NotFound

if TYPE_CHECKING:
    from mall.models import Payment

# The event types the mall acts on; providers translate theirs into these.
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"


class WebhookRejected(DomainError):
    """A webhook we refuse: answered with ``status_code`` and logged, and nothing changes."""

    code = "webhook_rejected"


class WebhookBadSignature(WebhookRejected):
    code = "bad_signature"


class WebhookStale(WebhookRejected):
    code = "stale_timestamp"


class WebhookMalformed(WebhookRejected):
    code = "malformed"


class WebhookAmountMismatch(WebhookRejected):
    code = "amount_mismatch"


class WebhookUnknownPayment(WebhookRejected, NotFound):
    status_code = 404
    code = "unknown_payment"


class PaymentProvider(ABC):
    """One payment gateway. Implementations must not touch the database: the services do."""

    name: str = ""

    @abstractmethod
    def start(self, payment: Payment) -> str:
        """The URL to send the buyer to so they can pay ``payment``."""

    @abstractmethod
    def verify_webhook(self, body: bytes, headers: Mapping[str, str]) -> dict:
        """Check a delivery's signature and age, and return its event as a dict with at least
        ``id``, ``type``, ``reference``, ``amount`` (a decimal string) and ``currency``.

        Raises WebhookBadSignature, WebhookStale or WebhookMalformed.
        """

    @abstractmethod
    def refund(self, payment: Payment, amount: Decimal, reason: str, *, idempotency_key: str = "") -> str:
        """Refund ``amount`` of ``payment``; returns the provider's refund reference.

        Asking again with the same ``idempotency_key`` must not refund twice.
        """
