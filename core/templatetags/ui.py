"""Small presentation helpers: inline SVG icons and abbreviated counts."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from core.paths import path_for

register = template.Library()

_ICONS = {
    "home": '<path d="M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z"/>',
    "bag": '<path d="M5 8h14l-1 12H6z"/><path d="M9 8V6a3 3 0 0 1 6 0v2"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "bell": '<path d="M6 16V11a6 6 0 1 1 12 0v5l2 2H4z"/><path d="M10 20a2 2 0 0 0 4 0"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c1-4 4-6 8-6s7 2 8 6"/>',
    "search": '<circle cx="11" cy="11" r="7"/><path d="m20 20-3.5-3.5"/>',
    "heart": '<path d="M12 20s-7-4.4-7-10a4 4 0 0 1 7-2.6A4 4 0 0 1 19 10c0 5.6-7 10-7 10z"/>',
    "star": '<path d="m12 3 2.8 5.8 6.2.9-4.5 4.4 1 6.2L12 17.4 6.5 20.3l1-6.2L3 9.7l6.2-.9z"/>',
    "comment": '<path d="M4 5h16v11H9l-5 4z"/>',
    "wallet": '<rect x="3" y="6" width="18" height="13" rx="2"/><path d="M3 10h18M16 15h2"/>',
    "box": '<path d="m3 7 9-4 9 4v10l-9 4-9-4z"/><path d="m3 7 9 4 9-4M12 11v10"/>',
    "truck": '<path d="M3 6h11v10H3zM14 10h4l3 3v3h-7"/><circle cx="7" cy="18" r="2"/><circle cx="17" cy="18" r="2"/>',
    "return": '<path d="M9 14 4 9l5-5"/><path d="M4 9h10a6 6 0 0 1 0 12h-3"/>',
    "cart": '<path d="M3 4h2l2.4 11h11l2-8H6.2"/><circle cx="9" cy="19" r="1.5"/><circle cx="17" cy="19" r="1.5"/>',
    "chart": '<path d="M4 20V10M10 20V4M16 20v-7M22 20H2"/>',
    "draft": '<path d="M6 3h9l4 4v14H6z"/><path d="M14 3v5h5M9 13h6M9 17h4"/>',
    "share": '<path d="M4 12v7h16v-7"/><path d="M12 3v12M7 8l5-5 5 5"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3a14 14 0 0 1 0 18M12 3a14 14 0 0 0 0 18"/>',
    "chevron": '<path d="m9 6 6 6-6 6"/>',
    "back": '<path d="m15 6-6 6 6 6"/>',
    "pin": '<path d="M12 21s-6-5.5-6-11a6 6 0 0 1 12 0c0 5.5-6 11-6 11z"/><circle cx="12" cy="10" r="2"/>',
    "id": '<rect x="3" y="5" width="18" height="14" rx="2"/><circle cx="9" cy="11" r="2"/><path d="M6 16c.6-1.5 1.7-2 3-2s2.4.5 3 2M15 10h3M15 13h3"/>',
    "logout": '<path d="M15 4h4v16h-4M10 8l-4 4 4 4M6 12h10"/>',
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16z"/>',
    "shield": '<path d="M12 3 4 6v6c0 5 3.5 8 8 9 4.5-1 8-4 8-9V6z"/>',
    "more": '<circle cx="5" cy="12" r="1.2"/><circle cx="12" cy="12" r="1.2"/><circle cx="19" cy="12" r="1.2"/>',
}


@register.simple_tag
def icon(name: str, size: int = 24, filled: bool = False, label: str = "") -> str:
    path = _ICONS[name]
    fill = "currentColor" if filled else "none"
    aria = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="icon icon-{}" width="{}" height="{}" viewBox="0 0 24 24" fill="{}" stroke="currentColor" '
        'stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" {}>{}</svg>',
        name,
        size,
        size,
        fill,
        aria,
        mark_safe(path),  # noqa: S308 - constant markup from _ICONS above
    )


@register.simple_tag(takes_context=True)
def site_chrome(context) -> str:
    """The top bar and tab bar, rendered once per what they show (core/chrome.py)."""
    from core.chrome import chrome_html

    return chrome_html(context)


@register.simple_tag
def avatar(u, size: int = 40) -> str:
    """``partials/avatar.html`` in Python, for lists that show one per row (an include per row costs a
    template render each): the same markup, the photo or the name's first letter."""
    size = size or 40
    if u.avatar:
        return format_html(
            '<img class="avatar" src="{}" alt="{}" width="{}" height="{}" loading="lazy">',
            u.avatar.url,
            u.display_name,
            size,
            size,
        )
    return format_html(
        '<span class="avatar-fallback" style="width:{}px;height:{}px;font-size:{}px" aria-hidden="true">{}</span>',
        size,
        size,
        round(size / 5 * 2),
        u.display_name[:1].upper(),
    )


@register.filter
def abbrev(value) -> str:
    """1234 -> 1.2k in English, 12345 -> 1.2万 in Chinese."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return ""
    if (get_language() or "").startswith("zh"):
        if n >= 100_000_000:
            return f"{n / 100_000_000:.1f}".rstrip("0").rstrip(".") + "亿"
        if n >= 10_000:
            return f"{n / 10_000:.1f}".rstrip("0").rstrip(".") + "万"
        return str(n)
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".rstrip("0").rstrip(".") + "m"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".rstrip("0").rstrip(".") + "k"
    return str(n)


@register.simple_tag
def path(name: str, *ids) -> str:
    """``{% path 'app:name' obj.pk %}``: the URL as ``{% url %}`` gives it, reversed once per process
    and name, then filled in (core/paths.py). For integer ids; ``{% path ... as var %}`` works too."""
    return path_for(name, *ids)
