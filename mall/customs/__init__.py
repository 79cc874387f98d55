"""Customs gateways. ``get_gateway()`` returns the one named by ``settings.CUSTOMS_GATEWAY``."""

from __future__ import annotations

from django.conf import settings

from core.gateways import gateway_load
from mall.customs.base import CustomsDecision, CustomsGateway

GATEWAYS = {"sandbox": "mall.customs.sandbox.SandboxCustoms"}

__all__ = ["CustomsDecision", "CustomsGateway", "get_gateway"]


def get_gateway(name: str | None = None) -> CustomsGateway:
    name = name or settings.CUSTOMS_GATEWAY
    return gateway_load(name, registry=GATEWAYS, setting="CUSTOMS_GATEWAY")
