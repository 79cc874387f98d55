"""Community middleware: the reader's "hide sponsored" switch, remembered."""

from __future__ import annotations

from community.views.trust import SPONSORED_COOKIE, SPONSORED_HIDE, SPONSORED_PARAM, SPONSORED_SHOW


class SponsoredChoiceMiddleware:
    """Remembers the reader's "hide sponsored" switch in a first-party cookie, so feeds, topics and search
    keep it until the reader flips it back (no session, no query)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        asked = request.GET.get(SPONSORED_PARAM)
        if asked == SPONSORED_HIDE and request.COOKIES.get(SPONSORED_COOKIE) != SPONSORED_HIDE:
            response.set_cookie(SPONSORED_COOKIE, SPONSORED_HIDE, max_age=365 * 24 * 3600, samesite="Lax")
        elif asked == SPONSORED_SHOW and SPONSORED_COOKIE in request.COOKIES:
            response.delete_cookie(SPONSORED_COOKIE, samesite="Lax")
        return response
