"""System checks of the deployment's shape (registered in ``core.apps``)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from core.gateways import sandbox_refusals


@register(Tags.security, deploy=True)
def sandbox_gateways_check(app_configs=None, **kwargs) -> list[Error]:
    """``check --deploy`` fails on a production configuration that names a sandbox gateway, unless the
    deployment says it is a demo (DEMO=1)."""
    hint = "Set PAYMENT_PROVIDER / CUSTOMS_GATEWAY to real gateways, or DEMO=1 for a demo."
    return [Error(refusal, id="core.E001", hint=hint) for refusal in sandbox_refusals()]
