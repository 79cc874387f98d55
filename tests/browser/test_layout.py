"""Layout as a person sees it: the bottom tab bar on phones, the side navigation on desktops, nothing
wider than the screen, big enough touch targets, and a tour of the account pages in both sizes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from accounts import services
from accounts.tests.factories import AddressFactory, CustomsIdentityFactory, UserFactory
from tests.browser.helpers import assert_clean, low_contrast, scroll_width
from tests.support import images

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_W, PHONE_H = 390, 844
# Set HONGSHU_SCREENSHOTS=/some/dir to keep a full-page screenshot of every page of the tour.
SHOTS = os.environ.get("HONGSHU_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_phone_has_a_bottom_tab_bar_with_five_tabs_and_no_side_nav(phone_page, login_as):
    page = phone_page
    login_as(page, UserFactory())
    page.goto(page.base_url + "/accounts/me/")

    nav = page.locator("nav.tabbar")
    tabs = page.locator("nav.tabbar a.tab")
    assert tabs.count() == 5
    bar = nav.bounding_box()
    # A full-width strip glued to the bottom edge of the viewport, not a column at the side.
    assert bar["x"] == 0 and round(bar["width"]) == PHONE_W
    assert bar["height"] < 90
    assert abs(bar["y"] + bar["height"] - PHONE_H) <= 1
    for i in range(5):
        tab = tabs.nth(i)
        assert tab.is_visible()
        box = tab.bounding_box()
        assert box["y"] >= PHONE_H - 90, f"tab {i} is not at the bottom"
        assert box["height"] >= 44, f"tab {i} is too small to tap"
    # Side by side, left to right, in one row.
    xs = [tabs.nth(i).bounding_box()["x"] for i in range(5)]
    assert xs == sorted(xs)
    # The tab of the page you are on is marked, once Messages has a page of its own (until then its
    # link falls back to the Me page, and the first matching tab wins).
    if page.get_by_test_id("tab-messages").get_attribute("href") != "/accounts/me/":
        assert page.get_by_test_id("tab-me").get_attribute("aria-current") == "page"
    # The desktop-only part of the side navigation (log out, operations) is not shown.
    assert not page.locator(".tab-aux").is_visible()
    assert not page.get_by_test_id("logout").is_visible()
    # The bar stays put while the page scrolls.
    page.mouse.wheel(0, 600)
    assert abs(nav.bounding_box()["y"] + nav.bounding_box()["height"] - PHONE_H) <= 1
    assert scroll_width(page) <= PHONE_W
    assert_clean(page)


def test_desktop_has_the_side_navigation_at_the_left(page, login_as):
    login_as(page, UserFactory())
    page.goto(page.base_url + "/accounts/me/")

    nav = page.locator("nav.tabbar")
    assert nav.is_visible()
    box = nav.bounding_box()
    assert box["x"] == 0
    assert 160 <= box["width"] <= 280
    # A tall column under the top bar, reaching the bottom of the window.
    assert box["height"] > 600
    tabs = nav.locator("a.tab")
    assert tabs.count() == 5
    boxes = [tabs.nth(i).bounding_box() for i in range(5)]
    assert len({round(b["x"]) for b in boxes}) == 1, "tabs are not stacked in one column"
    assert [b["y"] for b in boxes] == sorted(b["y"] for b in boxes)
    # The labels are there in words, and the page content sits to the right of the column.
    assert tabs.nth(4).inner_text().strip() != ""
    assert page.locator("main").bounding_box()["x"] >= box["x"] + box["width"] - 1
    assert page.get_by_test_id("logout").is_visible()
    assert_clean(page)


def _tour(page, base: str, name: str, login_as) -> list[tuple[str, int]]:
    """Visit every account page (empty and filled, with and without errors); return their widths."""
    widths: list[tuple[str, int]] = []

    def visit(path: str, label: str):
        response = page.goto(base + path)
        assert response.status < 500, f"{path} answered {response.status}"
        widths.append((label, scroll_width(page)))
        _shot(page, f"{name}-{label}")
        return response

    visit("/", "home")
    visit("/accounts/login/", "login")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    widths.append(("login-errors", scroll_width(page)))
    _shot(page, f"{name}-login-errors")
    visit("/accounts/signup/", "signup")
    visit("/no-such-page/", "404")

    user = UserFactory(username="mei_2024", nickname="Mei 小美")
    login_as(page, user)
    visit("/accounts/me/", "me-empty")
    visit("/accounts/addresses/", "addresses-empty")
    visit("/accounts/identities/", "identities-empty")
    visit("/accounts/me/edit/", "profile-edit")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"just some text, not a photo"}]
    )
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    widths.append(("profile-errors", scroll_width(page)))
    _shot(page, f"{name}-profile-errors")
    visit("/accounts/addresses/new/", "address-new")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    widths.append(("address-errors", scroll_width(page)))
    _shot(page, f"{name}-address-errors")
    visit("/accounts/identities/new/", "identity-new")
    page.locator("input[name=id_number]").fill("11010519900101001X")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    widths.append(("identity-errors", scroll_width(page)))
    _shot(page, f"{name}-identity-errors")

    user.bio = (
        "Skincare, hiking and long train rides. 护肤 · 徒步 · 慢火车。Reviews of what I actually bought."
    )
    user.save()
    services.user_avatar_set(user=user, upload=images.jpeg_with_exif())
    AddressFactory(user=user, is_default=True)
    AddressFactory(
        user=user,
        recipient="Li Wei",
        province="广东省",
        city="深圳市",
        district="南山区",
        detail="科技园南区 8 栋 1203 室, a rather long street address that has to wrap",
        phone="13900139000",
    )
    CustomsIdentityFactory(user=user, is_default=True)
    visit("/accounts/me/", "me")
    visit("/accounts/addresses/", "addresses")
    visit("/accounts/identities/", "identities")
    return widths


def test_phone_tour_of_account_pages_fits_the_screen(phone_page, login_as):
    page = phone_page
    widths = _tour(page, page.base_url, "phone", login_as)
    too_wide = [(label, w) for label, w in widths if w > PHONE_W]
    assert too_wide == [], f"pages wider than the phone: {too_wide}"
    assert_clean(page)


def test_desktop_tour_of_account_pages(page, login_as):
    widths = _tour(page, page.base_url, "desktop", login_as)
    assert all(w <= 1280 for _, w in widths), widths
    assert_clean(page)


def test_phone_forms_have_large_touch_targets(phone_page):
    page = phone_page
    page.goto(page.base_url + "/accounts/signup/")
    controls = page.locator("main form input:not([type=hidden]), main form button")
    assert controls.count() >= 4
    for i in range(controls.count()):
        box = controls.nth(i).bounding_box()
        assert box["height"] >= 44, f"control {i} is {box['height']}px tall"
        # One column: every field spans the form's width.
        assert box["width"] >= 300, f"control {i} is only {box['width']}px wide"
    assert scroll_width(page) <= PHONE_W
    assert_clean(page)


def test_phone_form_labels_help_and_errors_are_readable(phone_page, login_as):
    """Every input has a label, and labels, hints and errors keep AA contrast on their background."""
    page = phone_page
    login_as(page, UserFactory())
    page.goto(page.base_url + "/accounts/identities/new/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.locator(".errorlist").count() >= 2
    unlabeled = page.evaluate(
        "[...document.querySelectorAll('main input:not([type=hidden]), main textarea, main select')]"
        ".filter(el => !el.labels || el.labels.length === 0).map(el => el.name)"
    )
    assert unlabeled == []
    text = (
        "main .field label, main .field .help, main .errorlist li, main .callout p, main h1, main .form-foot"
    )
    assert low_contrast(page, text) == []
    # The error is announced with its field: the input points at it.
    described = page.locator("input[name=real_name]").get_attribute("aria-describedby") or ""
    assert "id_real_name_error" in described.split()
    assert page.locator("#id_real_name_error").is_visible()
    assert_clean(page)
