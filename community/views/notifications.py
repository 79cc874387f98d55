"""The Messages page: four inboxes as tabs, each with its unread count; opening one marks it read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from community.models import Notification
from community.selectors.notifications import PAGE_SIZE, notification_page, notification_unread_counts
from community.services.notifications import notifications_mark_read
from core.context_processors import UNREAD_ATTRIBUTE

Inbox = Notification.Inbox

# (inbox, icon, label, what the empty inbox says)
TABS = [
    (Inbox.LIKES, "heart", _("Likes & collects"), _("When people like or collect your notes, you'll see it here.")),
    (Inbox.FOLLOWS, "user", _("New followers"), _("New followers show up here. Post notes so people find you.")),
    (Inbox.COMMENTS, "comment", _("Comments & @"), _("Comments, replies and @mentions of you land here.")),
    (Inbox.NOTICES, "bell", _("Notices"), _("Your orders, flash-sale reminders and notices about your notes land here.")),
]  # fmt: skip


def _labelled(page):
    """Each entry's label (``kind_label``), translated once per kind for the page, not per entry."""
    labels = {}
    for item in page.items:
        label = labels.get(item.kind)
        if label is None:
            label = labels[item.kind] = str(Notification.Kind(item.kind).label)
        item.kind_label = label
    return page


def _int_or_none(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@login_required
def notifications(request):
    user = request.user
    before = _int_or_none(request.GET.get("before"))
    size = _int_or_none(request.GET.get("size")) or PAGE_SIZE
    inbox = request.GET.get("inbox")

    if before is not None and request.htmx and inbox in Inbox.values:
        # The next page of an inbox already open (infinite scroll): entries only, nothing marked.
        page = _labelled(notification_page(user=user, inbox=inbox, before=before, size=size))
        return render(request, "community/partials/notifications_page.html", {"page": page, "size": size})

    counts = notification_unread_counts(user=user)
    if inbox not in Inbox.values:
        # Open the first inbox with something new in it.
        inbox = next((key for key, *_rest in TABS if counts[key]), Inbox.LIKES)
    page = _labelled(notification_page(user=user, inbox=inbox, before=before, size=size))
    if before is None and counts[inbox] and page.newest_id is not None:
        # Read up to the newest entry shown: one arriving while this page renders stays unread.
        notifications_mark_read(user=user, inbox=inbox, up_to=page.newest_id)
        counts[inbox] = 0
    setattr(request, UNREAD_ATTRIBUTE, sum(counts[key] for key in Inbox.values))  # the badge: no second count
    tabs = [
        {
            "key": key,
            "icon": icon,
            "label": label,
            "empty": empty,
            "unread": counts[key],
            "active": key == inbox,
        }
        for key, icon, label, empty in TABS
    ]
    active_tab = next(t for t in tabs if t["active"])
    return render(
        request,
        "community/notifications.html",
        {"tabs": tabs, "active_tab": active_tab, "page": page, "size": size, "is_first_page": before is None},
    )
