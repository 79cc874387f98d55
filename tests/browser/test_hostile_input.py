"""What a hostile person types or uploads is refused plainly or shown as text, never run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import PASSWORD, UserFactory
from tests.browser.helpers import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_non_image_named_jpg_as_avatar_is_refused_with_a_clear_message(page, login_as, tmp_path):
    user = login_as(page, UserFactory(nickname="Before"))
    fake = tmp_path / "selfie.jpg"
    fake.write_bytes(b"<script>alert(1)</script>\n" * 40 + b"MZ\x90\x00 not a photo at all")
    page.goto(page.base_url + "/accounts/me/edit/")
    page.get_by_label("Nickname").fill("After")
    page.get_by_label("Avatar").set_input_files(str(fake))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    response = navigation.value
    assert response.status == 400, f"expected a form error, got {response.status}"
    error = page.get_by_test_id("error-avatar_upload")
    expect(error).to_be_visible()
    expect(error).to_have_text("This file is not an image we can read.")
    expect(page.get_by_label("Avatar")).to_be_visible()
    # Nothing was saved: the nickname and the (missing) photo are unchanged.
    user.refresh_from_db()
    assert user.nickname == "Before" and not user.avatar
    page.goto(page.base_url + "/accounts/me/")
    expect(page.get_by_test_id("nickname")).to_have_text("Before")
    expect(page.get_by_test_id("avatar").locator("img")).to_have_count(0)
    assert_clean(page)


BIO = (
    '<script>alert("bio")</script><img src=x onerror=alert(2)>'
    '<b hx-get="/accounts/me/edit/" hx-trigger="load" hx-target="body">hx</b>'
)


def test_markup_and_htmx_attributes_in_a_bio_are_shown_as_text(page, login_as, dialogs):
    login_as(page, UserFactory())
    htmx_requests: list[str] = []
    # htmx requests the bio's attribute would send (the search box's own suggestions are fine).
    page.on(
        "request",
        lambda r: (
            htmx_requests.append(r.url)
            if r.headers.get("hx-request") and "/accounts/me/edit/" in r.url
            else None
        ),
    )

    page.goto(page.base_url + "/accounts/me/edit/")
    page.get_by_label("Bio").fill(BIO)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(page.base_url + "/accounts/me/")

    bio = page.get_by_test_id("bio")
    expect(bio).to_have_text(BIO)  # every character visible, as typed
    assert bio.locator("script, img, b, [hx-get]").count() == 0
    assert page.locator("main [hx-get], main [hx-trigger]").count() == 0
    assert page.locator("script:not([src])").count() == 0
    page.wait_for_timeout(300)  # give a "load" trigger or an onerror the chance to misfire
    assert dialogs == []
    assert htmx_requests == []

    # The edit form shows it back as text in the text area, still inert.
    page.goto(page.base_url + "/accounts/me/edit/")
    expect(page.get_by_label("Bio")).to_have_value(BIO)
    page.wait_for_timeout(300)
    assert dialogs == [] and htmx_requests == []
    assert_clean(page)


def test_six_wrong_passwords_lock_the_login_form(page):
    user = UserFactory(username="target")
    page.goto(page.base_url + "/accounts/login/")
    statuses = []
    for attempt in range(1, 7):
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(f"wrong-guess-{attempt}")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Log in").click()
        statuses.append(navigation.value.status)
        if attempt < 6:
            expect(page.get_by_test_id("form-errors")).to_contain_text("correct username and password")
    assert statuses[-1] == 429, statuses
    assert all(status < 500 for status in statuses)
    expect(page.get_by_test_id("error-message")).to_have_text(
        "Too many failed sign-in attempts. Please wait 15 minutes and try again."
    )
    expect(page.get_by_role("heading", name="Try again later")).to_be_visible()

    # Even the right password is refused while the lock holds.
    page.goto(page.base_url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Log in").click()
    assert navigation.value.status == 429
    expect(page.get_by_test_id("error-message")).to_contain_text("15 minutes")
    expect(page.get_by_test_id("logout")).to_have_count(0)
    assert_clean(page)
