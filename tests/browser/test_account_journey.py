"""One person's first visit, end to end in Chromium: sign up, log out and in, fill in the profile with a
photo, add an address and a customs identity, switch to Chinese, log out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import valid_id_number
from tests.browser.helpers import assert_clean, image_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "plum-Blossom-harbour-77"


def _submit(page, name: str):
    """Click a form's submit button and return the response of the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator("main form").get_by_role("button", name=name).click()
    return navigation.value


def test_sign_up_profile_address_identity_language_and_log_out(page, jpeg_file):
    base = page.base_url

    # Sign up through the form.
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Create an account").click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    page.get_by_label("Username").fill("lin_travels")
    page.get_by_label("Nickname").fill("Lin")
    page.get_by_label("Password").fill(PASSWORD)
    response = _submit(page, "Sign up")
    assert response.status == 200 and response.url == base + "/"
    expect(page.get_by_role("status")).to_contain_text("Welcome, Lin!")
    assert_clean(page)

    # Log out (the side navigation on a desktop), then log in again.
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill("lin_travels")
    page.get_by_label("Password").fill(PASSWORD)
    _submit(page, "Log in")
    expect(page.get_by_test_id("logout")).to_be_visible()
    assert_clean(page)

    # Me page: no photo yet, then edit the profile with a JPEG from the computer.
    page.get_by_test_id("tab-me").click()
    expect(page.get_by_test_id("nickname")).to_have_text("Lin")
    expect(page.get_by_test_id("avatar").locator("img")).to_have_count(0)
    page.get_by_role("link", name="Edit profile").first.click()
    page.get_by_label("Nickname").fill("Lin 林")
    page.get_by_label("Bio").fill("Slow travel and honest skincare reviews.")
    expect(page.locator(".counter")).to_have_text("40/200")
    page.get_by_label("Avatar").set_input_files(str(jpeg_file))
    # The chosen photo shows at once in the picker.
    expect(page.locator("[data-avatar-preview] img")).to_have_count(1)
    _submit(page, "Save")
    expect(page).to_have_url(base + "/accounts/me/")
    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    expect(page.get_by_test_id("nickname")).to_have_text("Lin 林")
    expect(page.get_by_test_id("bio")).to_have_text("Slow travel and honest skincare reviews.")
    avatar = page.get_by_test_id("avatar").locator("img")
    expect(avatar).to_be_visible()
    assert avatar.get_attribute("src").endswith(".webp")
    assert image_loaded(page, "[data-testid=avatar] img"), "the new avatar did not load"
    assert_clean(page)

    # A shipping address: the first one is the default.
    page.get_by_role("link", name="Shipping addresses").click()
    expect(page.get_by_test_id("empty")).to_be_visible()
    page.get_by_test_id("empty").get_by_role("link", name="Add address").click()
    page.get_by_label("Recipient").fill("林小姐")
    page.get_by_label("Phone").fill("13800138000")
    page.get_by_label("Province").fill("浙江省")
    page.get_by_label("City").fill("杭州市")
    page.get_by_label("District").fill("西湖区")
    page.get_by_label("Street address").fill("文三路 90 号 2 幢 501")
    page.get_by_label("Postal code").fill("310012")
    _submit(page, "Save")
    expect(page).to_have_url(base + "/accounts/addresses/")
    address = page.get_by_test_id("address")
    expect(address).to_have_count(1)
    expect(address).to_contain_text("林小姐")
    expect(address).to_contain_text("浙江省 杭州市 西湖区 文三路 90 号 2 幢 501")
    expect(address.locator(".tag")).to_have_text("Default")
    assert_clean(page)

    # A customs identity with a valid GB 11643 number: shown masked, never in full.
    number = valid_id_number(7)
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Customs identity").click()
    page.get_by_test_id("empty").get_by_role("link", name="Add identity").click()
    page.get_by_label("Real name").fill("林晓")
    page.get_by_label("ID number").fill(number)
    _submit(page, "Save")
    expect(page).to_have_url(base + "/accounts/identities/")
    masked = number[0] + "*" * 16 + number[-1]
    expect(page.get_by_test_id("masked-number")).to_have_text(masked)
    expect(page.get_by_test_id("identity")).to_contain_text("林*")
    assert number not in page.content()
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_role("link", name="Customs identity")).to_contain_text(masked)
    assert number not in page.content()

    # A wrong check digit: refused, with the reason right under the number field, and not echoed.
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    page.goto(base + "/accounts/identities/new/")
    page.get_by_label("Real name").fill("林晓")
    page.get_by_label("ID number").fill(wrong)
    response = _submit(page, "Save")
    assert response.status == 400
    field = page.locator(".field", has=page.get_by_label("ID number"))
    error = field.get_by_test_id("error-id_number")
    expect(error).to_be_visible()
    expect(error).to_contain_text("check digit is wrong")
    expect(page.get_by_label("ID number")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("ID number")).to_have_value("")
    label_box = field.locator("label").bounding_box()
    error_box = error.bounding_box()
    assert 0 < error_box["y"] - label_box["y"] < 200, "the error is not next to its field"
    assert wrong not in page.content() and number not in page.content()
    assert_clean(page)

    # Switch to Chinese with the button in the top bar.
    page.goto(base + "/accounts/me/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_test_id("lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(base + "/accounts/me/")
    expect(page.get_by_test_id("lang-switch")).to_have_text("EN")
    # The navigation now speaks Chinese (whatever words the translators chose, they are Han characters).
    han = re.compile(r"[\u4e00-\u9fff]")
    expect(page.get_by_test_id("tab-home")).to_have_text(han)
    expect(page.get_by_test_id("logout")).to_have_text(han)
    assert_clean(page)

    # Log out; the Me page now asks to log in.
    page.get_by_test_id("logout").click()
    expect(page.get_by_test_id("logout")).to_have_count(0)
    page.goto(base + "/accounts/me/")
    assert "/accounts/login/" in page.url
    assert_clean(page)
