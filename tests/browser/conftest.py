"""Browser-test helpers on top of the root conftest's ``browser``, ``page`` and ``phone_page``."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image


@pytest.fixture(scope="session")
def browser(browser):
    # Playwright's sync API keeps an asyncio loop running in the main thread from launch until the end
    # of the session; Django then refuses ORM calls from that thread (the test database setup, factories)
    # as "async unsafe". Nothing here is really async: allow it from the moment Chromium starts.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield browser


@pytest.fixture
def login_as():
    """Sign a page in as ``user`` by handing it a real session cookie (the login form has its own test)."""
    from django.conf import settings
    from django.test import Client

    def _login(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": page.base_url}]
        )
        return user

    return _login


@pytest.fixture
def jpeg_file(tmp_path) -> Path:
    """A real JPEG on disk, as a person would pick it from their photos."""
    path = tmp_path / "holiday.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), (255, 36, 66)).save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def dialogs(page):
    """Every alert/confirm/prompt the page opens (a script that ran); the test asserts the list is empty."""
    opened: list[str] = []

    def _on_dialog(dialog):
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", _on_dialog)
    return opened
