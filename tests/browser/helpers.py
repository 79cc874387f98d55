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


_CONTRAST_JS = """
sel => {
  const lum = rgb => {
    const [r, g, b] = rgb.match(/[\\d.]+/g).slice(0, 3).map(Number).map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = el => {
    for (let n = el; n; n = n.parentElement) {
      const c = getComputedStyle(n).backgroundColor;
      if (c && !/rgba\\(.*,\\s*0\\)$/.test(c) && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  };
  return [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null).map(el => {
    const [a, b] = [lum(getComputedStyle(el).color), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    return [el.textContent.trim().slice(0, 40), Math.round(ratio * 100) / 100];
  });
}
"""


def low_contrast(page, selector: str, minimum: float = 4.5) -> list[tuple[str, float]]:
    """Visible elements matching ``selector`` whose text falls below ``minimum`` contrast (WCAG AA)."""
    return [(text, ratio) for text, ratio in page.evaluate(_CONTRAST_JS, selector) if ratio < minimum]


def state_becomes(order, state: str, *, timeout: float = 30.0) -> str:
    """Poll the database until the order reaches ``state`` (the Celery worker moves it) or the deadline
    passes; the last state seen."""
    import time

    from mall.models import Order

    deadline = time.monotonic() + timeout
    current = ""
    while time.monotonic() < deadline:
        current = Order.objects.values_list("state", flat=True).get(pk=order.pk)
        if current == state:
            break
        time.sleep(0.1)
    return current
