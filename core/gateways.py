"""Gateways outside the company (payment, customs, real-name verification, carriers) are chosen by setting: a short
name from the app's registry or a dotted path. Each has a "sandbox" that decides locally, which is how
development, tests and demos run, and which would let anyone pay by pressing a button if it ran in
production. So a sandbox loads only where ``sandbox_allowed()``: with DEBUG, in tests, or on a deployment
that says it is a demo (``DEMO=1``). On a production configuration that names a sandbox, the web and Celery
processes refuse to start (``sandbox_guard`` in config/wsgi.py and config/celery.py), ``check --deploy``
fails (``core.checks``), and ``gateway_load`` refuses to hand one out anyway. Development commands
(``migrate``, ``makemigrations``) are not stopped: they take no money."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

SANDBOX = "sandbox"
# Settings that name a gateway; ``core.checks`` refuses a sandbox in any of them outside a demo.
GATEWAY_SETTINGS = ("PAYMENT_PROVIDER", "CUSTOMS_GATEWAY", "REALNAME_PROVIDER", "CARRIER_PROVIDER")


def sandbox_allowed() -> bool:
    return bool(settings.DEBUG or settings.TESTING or settings.DEMO)


def sandbox_refusal(setting: str) -> str:
    return (
        f"{setting}={SANDBOX} on a production deployment (DEBUG=0): the sandbox approves whatever it is asked. "
        f"Configure a real gateway, or set DEMO=1 if this deployment is a demo that takes no real money."
    )


def gateway_load(name: str, *, registry: dict[str, str], setting: str):
    """An instance of the gateway called ``name`` (a key of ``registry`` or a dotted path)."""
    if name == SANDBOX and not sandbox_allowed():
        raise ImproperlyConfigured(sandbox_refusal(setting))
    return import_string(registry.get(name, name))()


def sandbox_refusals() -> list[str]:
    """Why this configuration must not serve: one line per gateway setting that names a sandbox."""
    if sandbox_allowed():
        return []
    return [
        sandbox_refusal(setting) for setting in GATEWAY_SETTINGS if getattr(settings, setting, "") == SANDBOX
    ]


def sandbox_guard() -> None:
    """Called as a web or Celery process starts: it does not start on a sandbox in production."""
    refusals = sandbox_refusals()
    if refusals:
        raise ImproperlyConfigured(" ".join(refusals))
