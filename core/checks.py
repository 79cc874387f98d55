"""System checks of the deployment's shape (registered in ``core.apps``)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register

from core.crypto import key_refusals
from core.gateways import sandbox_refusals


@register(Tags.security, deploy=True)
def sandbox_gateways_check(app_configs=None, **kwargs) -> list[Error]:
    """``check --deploy`` fails on a production configuration that names a sandbox gateway, unless the
    deployment says it is a demo (DEMO=1)."""
    hint = (
        "Set PAYMENT_PROVIDER / CUSTOMS_GATEWAY / REALNAME_PROVIDER / CARRIER_PROVIDER to real gateways, "
        "or DEMO=1 for a demo."
    )
    return [Error(refusal, id="core.E001", hint=hint) for refusal in sandbox_refusals()]


@register(Tags.security, deploy=True)
def field_keys_check(app_configs=None, **kwargs) -> list[Error]:
    """``check --deploy`` fails when personal data could not be encrypted at rest: production sets
    FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY itself (development derives them from SECRET_KEY)."""
    from django.conf import settings

    if settings.DEBUG or settings.TESTING:
        return []
    hint = (
        "Set FIELD_ENCRYPTION_KEYS (Fernet keys: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())') and FIELD_HASH_KEY (32+ random characters)."
    )
    return [Error(problem, id="core.E002", hint=hint) for problem in key_refusals()]
