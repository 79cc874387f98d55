"""Search as a person uses it: the top search box finds a note by a two-character Chinese word and by an
English word, and suggests topics and note titles while they type."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from community.models import Topic
from community.tests.factories import indexed_note
from tests.browser.helpers import assert_clean

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def notes():
    cream = indexed_note(
        title="秋冬保湿面霜测评",
        body="干皮姐妹看过来，这款CeraVe的修护面霜真的很好用，油皮也不闷痘。#面霜推荐",
        topics=("面霜推荐",),
        images=1,
    )
    sunscreen = indexed_note(
        title="Sunscreen for summer",
        body="A lightweight sunscreen that leaves no white cast. 学生党也买得起。",
        images=1,
    )
    indexed_note(title="周末去哪儿", body="杭州小众咖啡店合集", images=1)
    Topic.objects.filter(name="面霜推荐").update(note_count=1)
    return {"cream": cream, "sunscreen": sunscreen}


def _search(page, text: str) -> None:
    box = page.get_by_role("combobox", name="Search")
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))


def test_the_top_search_box_finds_a_note_by_a_two_character_chinese_word(page, notes):
    page.goto(page.base_url + "/")

    _search(page, "面霜")

    cards = page.get_by_test_id("note-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("秋冬保湿面霜测评")
    # The word only appears inside longer text ("保湿面霜测评", "修护面霜真的"), and the box keeps it.
    expect(page.get_by_role("combobox", name="Search")).to_have_value("面霜")
    expect(page.get_by_test_id("search-sort-relevance")).to_have_attribute("aria-current", "true")
    assert_clean(page)


def test_the_top_search_box_finds_a_note_by_an_english_word(page, notes):
    page.goto(page.base_url + "/")

    _search(page, "SUNSCREEN")

    cards = page.get_by_test_id("note-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Sunscreen for summer")
    # The sort chips re-run the same search.
    page.get_by_test_id("search-sort-newest").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    expect(page.get_by_test_id("note-card")).to_have_count(1)
    assert_clean(page)


def test_nothing_found_says_so(page, notes):
    page.goto(page.base_url + "/search/?q=" + quote("螺蛳粉"))

    expect(page.get_by_test_id("search-empty")).to_be_visible()
    expect(page.get_by_test_id("note-card")).to_have_count(0)
    assert_clean(page)


def test_suggestions_appear_while_typing_and_lead_to_the_note(page, notes):
    page.goto(page.base_url + "/")
    box = page.get_by_role("combobox", name="Search")

    box.press_sequentially("面", delay=60)

    suggestions = page.get_by_test_id("search-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_test_id("suggest-topic")).to_contain_text("面霜推荐")
    expect(suggestions.get_by_test_id("suggest-note")).to_contain_text("秋冬保湿面霜测评")
    expect(box).to_have_attribute("aria-expanded", "true")

    # Keyboard: down into the list, Escape closes it.
    box.press("ArrowDown")
    expect(suggestions.get_by_role("option").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("search-suggestions")).to_have_count(0)
    expect(box).to_have_attribute("aria-expanded", "false")

    # Typing on brings them back; clicking a title opens the note.
    box.press_sequentially("霜", delay=60)
    note = page.get_by_test_id("search-suggestions").get_by_test_id("suggest-note")
    expect(note).to_contain_text("秋冬保湿面霜测评")
    note.click()
    page.wait_for_url(re.compile(rf"/notes/{notes['cream'].pk}/"))
    assert_clean(page)


def test_suggestions_on_a_phone(phone_page, notes):
    page = phone_page
    page.goto(page.base_url + "/")
    box = page.locator("#site-search")

    box.press_sequentially("sun", delay=60)

    suggestion = page.get_by_test_id("search-suggestions").get_by_test_id("suggest-note")
    expect(suggestion).to_contain_text("Sunscreen for summer")
    box_rect = page.get_by_test_id("search-suggestions").bounding_box()
    assert box_rect["x"] >= 0 and box_rect["x"] + box_rect["width"] <= 390
    assert_clean(page)
