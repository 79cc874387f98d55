"""Screenshots for the README, taken with headless Chromium through Playwright.

    make run                      # in one terminal (seeds the demo data)
    .venv/bin/python docs/screenshot.py http://127.0.0.1:8000/ docs/screenshot-home.png

Uses Debian's chromium (CHROMIUM_PATH to override); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import shutil

from playwright.sync_api import sync_playwright


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=860)
    parser.add_argument("--phone", action="store_true", help="390x844 at 2x, touch, zh-CN")
    parser.add_argument("--full-page", action="store_true")
    args = parser.parse_args()

    chromium = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        if args.phone:
            context = browser.new_context(
                viewport={"width": 390, "height": 844},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
            )
        else:
            context = browser.new_context(
                viewport={"width": args.width, "height": args.height}, locale="en-US"
            )
        page = context.new_page()
        response = page.goto(args.url, wait_until="networkidle")
        if response is None or response.status != 200:
            raise SystemExit(f"{args.url} answered {response.status if response else 'nothing'}")
        # Let lazy images that entered the viewport finish decoding.
        page.wait_for_timeout(500)
        page.screenshot(path=args.out, full_page=args.full_page)
        browser.close()
    print(f"saved {args.out}")


if __name__ == "__main__":
    main()
