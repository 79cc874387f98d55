"""The personal feed's pages: the discovery feed at ``/``, "not interested", the interest picker, and the
related-notes fragment that the note page loads (which is also how an open is noticed)."""

from __future__ import annotations

from datetime import timedelta

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.selectors import feeds as community_feeds
from community.selectors.access import access_note_for_view
from community.views.feeds import feed_render
from community.views.interactions import back_url, login_required_htmx
from community.views.trust import SPONSORED_COOKIE, SPONSORED_PARAM, sponsored_hidden
from core.errors import DomainError
from core.microcache import micro_cached
from core.visitor import visitor
from recs.selectors.feed import feed_for_you
from recs.selectors.interests import interests_offered, interests_picked
from recs.selectors.related import related_notes
from recs.services.signals import FOR_YOU, impressions_record, note_open_record
from recs.services.tastes import note_hide, reader_interests_pick

PICKER_DONE = "recs_interests_done"
PICKER_TEMPLATE = "recs/partials/interests_picker.html"
NEW_ACCOUNT = timedelta(days=1)


def _picker_due(request) -> bool:
    """A day-one account that has neither picked nor skipped is shown the picker once."""
    user = request.user
    if not user.is_authenticated or request.session.get(PICKER_DONE):
        return False
    if user.date_joined < timezone.now() - NEW_ACCOUNT:
        return False
    if interests_picked(user=user):
        request.session[PICKER_DONE] = True
        return False
    return True


def _impressions_replay(request, shown) -> None:
    """A page served from the micro-cache to a new visitor is still their page: its cards are what they
    were shown (their seen set, the sources' impressions, the exploration budget)."""
    impressions_record(reader=visitor(request).key, shown=shown)


@require_safe
@micro_cached(
    params=("cursor", SPONSORED_PARAM),
    cookies=(SPONSORED_COOKIE,),
    personal=True,
    on_hit=_impressions_replay,
)
def home(request):
    """The discovery feed, personal: see ``recs/selectors/feed.py``. A visitor without history gets the
    page every such visitor gets, so theirs may come from the micro-cache (``core/microcache.py``)."""
    # A day-one account meets the interest picker at the top of its first page (skippable).
    picker = not request.GET.get("cursor") and _picker_due(request)
    note_page = feed_for_you(
        viewer=request.user,
        reader=visitor(request).key,
        cursor=request.GET.get("cursor"),
        size=community_feeds.FEED_PAGE_SIZE,
        hide_sponsored=sponsored_hidden(request),
    )
    context = {"feed_tab": "discover", "tap_from": FOR_YOU}
    if picker:
        context |= {"feed_intro_template": PICKER_TEMPLATE, "interest_topics": interests_offered()}
    response = feed_render(request, "home.html", context, note_page=note_page)
    extra = note_page.page.extra
    if extra.get("degraded"):
        response.microcache_skip = True  # Redis is down: not the page the next visitors should get
    elif "why" in extra:  # the personal feed (the plain hot one records no impressions)
        response.microcache_replay = [(n.pk, extra["why"][n.pk][0]) for n in note_page.notes]
    return response


class BadChoice(DomainError):
    code = "bad_choice"


@require_POST
def hide(request, note_id: int):
    """ "Not interested": in this note, its topic or its writer. The next page is built without them."""
    note = access_note_for_view(user=request.user, note_id=note_id)
    what = request.POST.get("what", "note")
    if what not in ("note", "topic", "writer"):
        raise BadChoice(_("Choose the note, its topic or its writer."))
    note_hide(user=request.user, reader=visitor(request).key, note=note, what=what)
    if request.htmx or request.headers.get("X-Requested-With") == "fetch":
        return render(request, "recs/partials/hidden_card.html", {"what": what})
    return redirect(back_url(request, reverse("home")))


@login_required_htmx
def interests(request):
    """The interest picker: the home page shows it to a new account; this is where it posts (and its
    own page, for later changes)."""
    if request.method == "POST":
        if request.POST.get("skip"):
            request.session[PICKER_DONE] = True
            return redirect("home")
        try:
            chosen = [int(t) for t in request.POST.getlist("topics")]
        except ValueError:
            raise BadChoice(_("Pick topics from the list.")) from None
        reader_interests_pick(user=request.user, reader=visitor(request).key, topic_ids=chosen)
        request.session[PICKER_DONE] = True
        return redirect("home")
    return render(
        request,
        "recs/interests.html",
        {"interest_topics": interests_offered(), "picked": set(interests_picked(user=request.user))},
    )


@require_safe
def related(request, note_id: int):
    """More like this: the fragment at the end of a note page. Loading it counts as opening the note, and
    as a card tap when the page was reached from a card (``?from=<surface>``, passed on by the page)."""
    note = access_note_for_view(user=request.user, note_id=note_id)
    if note.author_id != getattr(request.user, "pk", None):
        note_open_record(who=visitor(request), note_id=note.pk, surface=request.GET.get("from", ""))
    page = related_notes(note=note, viewer=request.user)
    return render(request, "recs/partials/related_notes.html", {"notes": page.notes, "state": page.state})
