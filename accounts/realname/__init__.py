"""Real-name verification: does this name go with this ID number? ``get_provider()`` returns the one named
by ``settings.REALNAME_PROVIDER`` ("sandbox" or a dotted path), as mall.payments and mall.customs do."""

from __future__ import annotations

from django.conf import settings

from accounts.realname.base import RealnameProvider, RealnameResult
from core.gateways import gateway_load

PROVIDERS = {"sandbox": "accounts.realname.sandbox.SandboxRealname"}

__all__ = ["PROVIDERS", "RealnameProvider", "RealnameResult", "get_provider"]


def get_provider(name: str | None = None) -> RealnameProvider:
    name = name or settings.REALNAME_PROVIDER
    return gateway_load(name, registry=PROVIDERS, setting="REALNAME_PROVIDER")
