"""Carrier gateways. ``get_carrier()`` returns the one named by ``settings.CARRIER_PROVIDER``
(docs/architecture.md, "The carrier interface")."""

from __future__ import annotations

from django.conf import settings

from core.gateways import gateway_load
from mall.carriers.base import (
    CARRIER_NAMES,
    CarrierGateway,
    CarrierRefused,
    ParcelUpdate,
    carrier_label,
    tracking_number_clean,
)

PROVIDERS = {"sandbox": "mall.carriers.sandbox.SandboxCarrier"}

__all__ = [
    "CARRIER_NAMES",
    "CarrierGateway",
    "CarrierRefused",
    "ParcelUpdate",
    "carrier_label",
    "get_carrier",
    "tracking_number_clean",
]


def get_carrier(name: str | None = None) -> CarrierGateway:
    """The configured carrier gateway (or the one called ``name``): a short name or a dotted path."""
    name = name or settings.CARRIER_PROVIDER
    return gateway_load(name, registry=PROVIDERS, setting="CARRIER_PROVIDER")
