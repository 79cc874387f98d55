"""System checks of the deployment's shape (registered in ``core.apps``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from core.gateways import GATEWAY_SETTINGS, SANDBOX, sandbox_allowed, sandbox_refusal


@register()
def sandbox_gateways_check(app_configs=None, **kwargs) -> list[Error]:
    """A production deployment never runs on a sandbox gateway unless it says it is a demo. Untagged, so
    ``migrate`` and every other command refuse to run, not only ``check --deploy``."""
    if sandbox_allowed():
        return []
    return [
        Error(sandbox_refusal(setting), id="core.E001", hint="PAYMENT_PROVIDER / CUSTOMS_GATEWAY, or DEMO=1")
        for setting in GATEWAY_SETTINGS
        if getattr(settings, setting, "") == SANDBOX
    ]
