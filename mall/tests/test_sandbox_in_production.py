"""A production deployment cannot sell for free: the sandbox gateways (which approve whatever they are
asked) load only with DEBUG, in tests, or with DEMO=1. Written as the attacker on a deployment that followed
the README: they open the sandbox pay page of their own unpaid order and press "Pay"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from core.checks import sandbox_gateways_check
from core.gateways import sandbox_guard
from mall.carriers import get_carrier
from mall.customs import get_gateway
from mall.models import Order, Payment
from mall.payments import get_provider
from mall.services.payments import payment_start
from tests.support.orders import placed_order


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.TESTING = False
    settings.DEMO = False
    return settings


def test_check_refuses_each_sandbox_gateway_in_production(production):
    errors = sandbox_gateways_check()

    assert [error.id for error in errors] == ["core.E001"] * 4
    assert "PAYMENT_PROVIDER=sandbox" in errors[0].msg and "CUSTOMS_GATEWAY=sandbox" in errors[1].msg
    assert "REALNAME_PROVIDER=sandbox" in errors[2].msg and "CARRIER_PROVIDER=sandbox" in errors[3].msg
    with pytest.raises(SystemCheckError, match="PAYMENT_PROVIDER=sandbox"):
        call_command("check", "--deploy")


def test_a_demo_deployment_may_run_on_the_sandboxes(production):
    production.DEMO = True

    assert sandbox_gateways_check() == []
    assert get_provider().name == "sandbox"
    assert get_carrier().name == "sandbox"


def test_a_real_gateway_named_by_setting_passes_the_check(production):
    production.PAYMENT_PROVIDER = "mall.payments.sandbox.SandboxProvider"  # a dotted path: not "sandbox"
    production.CUSTOMS_GATEWAY = "mall.customs.sandbox.SandboxCustoms"
    production.REALNAME_PROVIDER = "accounts.realname.sandbox.SandboxRealname"
    production.CARRIER_PROVIDER = "mall.carriers.sandbox.SandboxCarrier"

    assert sandbox_gateways_check() == []


def test_running_processes_refuse_to_load_a_sandbox_in_production(production):
    with pytest.raises(ImproperlyConfigured, match="DEMO=1"):
        get_provider()
    with pytest.raises(ImproperlyConfigured, match="CUSTOMS_GATEWAY"):
        get_gateway()
    with pytest.raises(ImproperlyConfigured, match="CARRIER_PROVIDER"):
        get_carrier()
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_PROVIDER=sandbox"):
        sandbox_guard()


def _start_web(**env) -> subprocess.CompletedProcess:
    """Import the WSGI application as gunicorn does, in a fresh process with production variables."""
    keep = {
        k: v for k, v in os.environ.items() if k in ("PATH", "DATABASE_URL", "REDIS_URL", "HOME", "VAR_DIR")
    }
    production_env = {
        **keep,
        "DEBUG": "0",
        "SECRET_KEY": "k" * 60,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        env={**production_env, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_process_does_not_start_on_a_sandbox_unless_it_is_a_demo():
    refused = _start_web()
    assert refused.returncode != 0 and "DEMO=1" in refused.stderr

    assert _start_web(DEMO="1").returncode == 0


@pytest.mark.django_db
def test_the_sandbox_pay_button_and_webhook_do_not_exist_in_production(client, settings):
    order, _record = placed_order()
    client.force_login(order.user)
    url = payment_start(order=order, user=order.user)  # made while the sandbox was allowed (a demo once)
    settings.DEBUG, settings.TESTING, settings.DEMO = False, False, False

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "pay"}).status_code == 404
    webhook = client.post(
        reverse("payments_api:webhook_sandbox"), data=b"{}", content_type="application/json"
    )
    assert webhook.status_code == 404

    order.refresh_from_db()
    assert order.state == Order.State.PENDING_PAYMENT
    assert Payment.objects.get(order=order).state == Payment.State.PENDING
