from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

UNREAD_ATTRIBUTE = "unread_notifications"

# (key, icon, label, url names to try in order). Upper apps' pages appear as they are installed.
NAV = [
    ("home", "home", _("Home"), ["home"]),
    ("mall", "bag", _("Mall"), ["mall:home", "home"]),
    ("post", "plus", _("Post"), ["community:note_new", "accounts:me"]),
    ("messages", "bell", _("Messages"), ["community:notifications", "accounts:me"]),
    ("me", "user", _("Me"), ["accounts:me"]),
]


# Every page pays for this processor: the six reverses (each reads the thread's URLconf and script prefix
# from asgiref locals and walks the resolver) are done once per (names, URLconf, script prefix) instead.
_first_urls: dict[tuple, tuple[str, bool]] = {}


def _first_url(names: list[str]) -> tuple[str, bool]:
    """The first URL that resolves, and whether it is the tab's own (not a fallback)."""
    key = (tuple(names), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    found = _first_urls.get(key)
    if found is None:
        found = _first_url_reversed(names)
        _first_urls[key] = found
    return found


def _first_url_reversed(names: list[str]) -> tuple[str, bool]:
    for index, name in enumerate(names):
        try:
            return reverse(name), index == 0
        except NoReverseMatch:
            continue
    return "/", False


def site(request):
    # A page that has just counted the reader's unread notifications (the Messages page) leaves the figure
    # on the request: the badge shows it instead of counting again.
    unread = getattr(request, UNREAD_ATTRIBUTE, None)
    if unread is None:
        unread = 0
        if request.user.is_authenticated and getattr(settings, "UNREAD_COUNT_CALLABLE", ""):
            unread = import_string(settings.UNREAD_COUNT_CALLABLE)(request.user)
    items = []
    for key, icon, label, names in NAV:
        url, own = _first_url(names)
        active = own and (request.path == url if url == "/" else request.path.startswith(url))
        items.append(
            {
                "key": key,
                "icon": icon,
                "label": label,
                "url": url,
                "active": active,
                "badge": (unread if unread < 100 else "99+") if key == "messages" and unread else None,
            }
        )
    # The first matching tab wins so that "Me" and "Messages" don't both light up on a fallback URL.
    seen = False
    for item in items:
        if item["active"] and not seen:
            seen = True
        else:
            item["active"] = False
    return {
        "SITE_NAME": settings.SITE_NAME,
        "DEBUG": settings.DEBUG,
        "nav_items": items,
        "search_url": _first_url(["community:search", "home"])[0],
    }
