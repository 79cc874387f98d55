"""``path_for`` (the ``{% path %}`` tag) gives exactly what ``reverse`` gives, from a format string made once."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core import paths
from core.paths import path_for


@pytest.mark.parametrize(
    "name,ids",
    [
        ("community:comment_like", (7,)),
        ("community:comment_delete", (123456789,)),
        ("community:note", (1,)),
        ("community:note_product_open", (3, 41)),
        ("community:feed_following", ()),
    ],
)
def test_path_for_is_reverse(name, ids):
    assert path_for(name, *ids) == reverse(name, args=ids)
    assert path_for(name, *ids) == reverse(name, args=ids)  # again, from the format string


def test_each_script_prefix_has_its_own_format():
    try:
        set_script_prefix("/shop/")
        assert path_for("community:note", 5) == "/shop/notes/5/" == reverse("community:note", args=[5])
    finally:
        set_script_prefix("/")
    assert path_for("community:note", 5) == "/notes/5/"


def test_anything_but_integer_ids_goes_through_reverse():
    assert path_for("community:topic", "护肤") == reverse("community:topic", args=["护肤"])
    with pytest.raises(NoReverseMatch):
        path_for("community:note", "not-a-number")
    assert not any(key[0] == "community:topic" for key in paths._formats)


def test_the_tag_renders_and_assigns():
    html = Template(
        "{% load ui %}{% path 'community:comment_like' 9 %}|{% path 'community:note' 4 as u %}{{ u }}"
    )
    assert html.render(Context()) == "/comments/9/like/|/notes/4/"
