"""``{% comment_item c %}`` and ``{% comment_reply c %}``: a comment from the per-process comment cache
(community/comment_markup.py), with the reader's parts filled in."""

from __future__ import annotations

from django import template

from community.comment_markup import comment_html

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_item(context, c):
    return comment_html(context, c, reply=False)


@register.simple_tag(takes_context=True)
def comment_reply(context, c):
    return comment_html(context, c, reply=True)
