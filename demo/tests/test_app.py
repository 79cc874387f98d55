"""The demo is a development app: production settings leave it out, nothing imports it, and the server's
banner shows its logins only when it is installed."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from core.management.commands import serve
from demo.seed import people

ROOT = Path(settings.BASE_DIR)


def installed_apps(**env: str) -> str:
    """INSTALLED_APPS as a fresh process with these variables (and no test run) sees them, as JSON."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DEMO_APP", "TESTING")}
    # Addresses nobody connects to: setting up Django opens no connection, and no embedded server starts.
    stores = {"DATABASE_URL": "postgres://nobody@127.0.0.1:9/none", "REDIS_URL": "redis://127.0.0.1:9/0"}
    code = "import django, json; django.setup(); from django.conf import settings; print(json.dumps(settings.INSTALLED_APPS))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **stores, "DJANGO_SETTINGS_MODULE": "config.settings", "SECRET_KEY": "x" * 50, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("env", "installed"),
    [
        ({"DEBUG": "0"}, False),  # production
        ({"DEBUG": "0", "DEMO_APP": "1"}, True),  # asked for
        ({"DEBUG": "1"}, True),  # make run
        ({"DEBUG": "1", "DEMO_APP": "0"}, False),
    ],
)
def test_production_leaves_the_demo_out_unless_asked(env, installed):
    assert ('"demo"' in installed_apps(**env)) is installed


def test_the_demo_is_installed_in_tests():
    assert "demo" in settings.INSTALLED_APPS


def test_no_other_app_imports_the_demo():
    importers = []
    for path in ROOT.glob("*/**/*.py"):
        top = path.relative_to(ROOT).parts[0]
        if top in ("demo", "benchmarks", ".venv", "var") or top.startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name == "demo" or name.startswith("demo.") for name in names):
                importers.append(str(path.relative_to(ROOT)))
    assert importers == []


def test_the_serve_banner_shows_the_demo_logins_only_when_the_demo_is_installed(monkeypatch):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert out.getvalue() == people.logins() and people.DEMO_PASSWORD in out.getvalue()
    assert serve._demo_logins() == people.logins()

    monkeypatch.setattr(serve.apps, "is_installed", lambda name: name != "demo")
    assert serve._demo_logins() == ""
