"""Payment providers. ``get_provider()`` returns the one named by ``settings.PAYMENT_PROVIDER``."""

from __future__ import annotations

from django.conf import settings

from core.gateways import gateway_load
from mall.payments.base import PaymentProvider

PROVIDERS = {"sandbox": "mall.payments.sandbox.SandboxProvider"}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider (or the one called ``name``): a short name from PROVIDERS or a dotted path."""
    name = name or settings.PAYMENT_PROVIDER
    return gateway_load(name, registry=PROVIDERS, setting="PAYMENT_PROVIDER")
