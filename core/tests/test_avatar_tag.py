"""``{% avatar %}`` draws what ``partials/avatar.html`` draws (lists use the tag, one per row, to spare a
template render per row), and escapes the name as the template does."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from accounts.tests.factories import UserFactory
from core.templatetags.ui import avatar

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("size", [44, 40, 32, 57])
@pytest.mark.parametrize("nickname", ["Lin", "<b>x</b>", "小红"])
def test_the_tag_draws_the_partials_markup_without_a_photo(nickname, size):
    user = UserFactory(nickname=nickname, avatar="")
    assert str(avatar(user, size)) == render_to_string(
        "partials/avatar.html", {"u": user, "size": size}
    ).rstrip("\n")


def test_the_tag_draws_the_partials_markup_with_a_photo():
    user = UserFactory(nickname='Lin "quoted"', avatar="avatars/lin.webp")
    assert str(avatar(user, 44)) == render_to_string("partials/avatar.html", {"u": user, "size": 44}).rstrip(
        "\n"
    )
    assert "<b>" not in str(avatar(UserFactory(nickname="<b>x</b>", avatar="a.webp"), 44))
