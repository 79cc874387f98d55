"""Assertions shared by the browser tests: what a person would notice is wrong."""

from __future__ import annotations


def assert_clean(page) -> None:
    """No uncaught JavaScript error and no Content-Security-Policy violation so far."""
    assert page.js_errors == [], f"JavaScript errors or CSP violations: {page.js_errors}"


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def image_loaded(page, selector: str) -> bool:
    """Wait for the image to finish loading; true when the browser decoded real pixels."""
    page.wait_for_function(
        "sel => { const i = document.querySelector(sel); return i && i.complete; }", arg=selector
    )
    return page.evaluate("sel => document.querySelector(sel).naturalWidth", selector) > 0
