"""Comments and replies on a note page: posted, liked, deleted and paged through htmx or plain forms.

With htmx a new comment is inserted at the top of the list and a reply under its comment, without a
reload (the server picks the place with ``HX-Retarget``); without JavaScript every form redirects back
to the note.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from community.models import COMMENT_MAX, Comment, Note
from community.selectors.access import access_comment, access_note_for_view
from community.selectors.comments import comments_page, replies_page
from community.services.comments import comment_create, comment_delete
from community.services.interactions import comment_like, comment_unlike
from community.text import text_linkify
from community.views.interactions import back_url, login_required_htmx, note_url
from core.errors import NotFound

COMMENT_ITEM = "community/partials/comment_item.html"
COMMENT_REPLY = "community/partials/comment_reply.html"
COMMENT_LIKE_BUTTON = "community/partials/comment_like_button.html"
COMMENTS_MORE = "community/partials/comments_more.html"
COMMENT_REPLIES_MORE = "community/partials/comment_replies_more.html"
COMMENT_PAGE = "community/comment_thread.html"
COMMENT_COUNT_OOB = "community/partials/comment_count_oob.html"


def _fresh_comment_count(note: Note) -> int:
    return Note.objects.filter(pk=note.pk).values_list("comment_count", flat=True).first() or 0


def _shown(comment: Comment, *, viewer) -> Comment:
    """Set what the comment partials read on a comment just written by ``viewer``."""
    comment.liked = False
    comment.just_now = True
    comment.is_note_author = comment.author_id == comment.note.author_id
    comment.can_delete = True
    comment.under_review = False
    comment.body_html = text_linkify(comment.body)
    comment.first_replies = []
    comment.more_replies = 0
    comment.replies_cursor = None
    return comment


@require_POST
@login_required_htmx
def comment_create_view(request, note_id: int):
    note = access_note_for_view(user=request.user, note_id=note_id)
    reply_to = None
    if request.POST.get("reply_to"):
        reply_to = access_comment(user=request.user, comment_id=request.POST["reply_to"])
    comment = comment_create(
        author=request.user, note=note, body=request.POST.get("body", ""), reply_to=reply_to
    )
    if not request.htmx:
        return redirect(f"{note_url(note.pk)}#comment-{comment.pk}")
    comment.note = note
    comment.author = request.user
    comment.reply_to = reply_to.author if comment.reply_to_id else None
    note.comment_count = _fresh_comment_count(note)
    context = {"c": _shown(comment, viewer=request.user), "note": note, "oob_count": True}
    if comment.parent_id is None:
        response = render(request, COMMENT_ITEM, context)
        response["HX-Retarget"] = f"#comment-list-{note.pk}"
        response["HX-Reswap"] = "afterbegin"
    else:
        response = render(request, COMMENT_REPLY, context)
        response["HX-Retarget"] = f"#replies-{comment.parent_id}"
        response["HX-Reswap"] = "beforeend"
    return response


@require_GET
@login_required_htmx
def comment_reply_view(request, comment_id: int):
    """The reply form on a page of its own: what "Reply" opens without JavaScript."""
    comment = access_comment(user=request.user, comment_id=comment_id)
    return render(
        request,
        COMMENT_PAGE,
        {"note": comment.note, "reply_to": comment, "COMMENT_MAX": COMMENT_MAX, "mode": "reply"},
    )


@require_GET
def comments_more_view(request, note_id: int):
    """The next page of top-level comments (the infinite-scroll sentinel loads it)."""
    note = access_note_for_view(user=request.user, note_id=note_id)
    page = comments_page(note=note, viewer=request.user, cursor=request.GET.get("cursor"))
    context = {"note": note, "comments_page": page, "COMMENT_MAX": COMMENT_MAX, "mode": "more"}
    return render(request, COMMENTS_MORE if request.htmx else COMMENT_PAGE, context)


@require_GET
def comment_replies_view(request, comment_id: int):
    """More replies under a comment ("show more replies")."""
    parent = access_comment(user=request.user, comment_id=comment_id)
    if parent.parent_id is not None:
        raise NotFound(_("This comment does not exist."))
    page = replies_page(parent=parent, viewer=request.user, cursor=request.GET.get("cursor"))
    context = {"note": parent.note, "replies_page": page, "parent": parent, "mode": "replies"}
    return render(request, COMMENT_REPLIES_MORE if request.htmx else COMMENT_PAGE, context)


def _like_answer(request, comment: Comment, toggle):
    if request.htmx:
        comment.like_count = toggle.count
        comment.liked = toggle.active
        return render(request, COMMENT_LIKE_BUTTON, {"c": comment})
    return redirect(back_url(request, f"{note_url(comment.note_id)}#comment-{comment.pk}"))


@require_POST
@login_required_htmx
def comment_like_view(request, comment_id: int):
    comment = access_comment(user=request.user, comment_id=comment_id)
    return _like_answer(request, comment, comment_like(user=request.user, comment=comment))


@require_POST
@login_required_htmx
def comment_unlike_view(request, comment_id: int):
    comment = access_comment(user=request.user, comment_id=comment_id)
    return _like_answer(request, comment, comment_unlike(user=request.user, comment=comment))


@require_POST
@login_required_htmx
def comment_delete_view(request, comment_id: int):
    comment = access_comment(user=request.user, comment_id=comment_id)
    comment_delete(user=request.user, comment=comment)
    note = comment.note
    if request.htmx:
        note.comment_count = _fresh_comment_count(note)
        # The comment's element is swapped for nothing; the counts follow out of band.
        return render(request, COMMENT_COUNT_OOB, {"note": note})
    return redirect(back_url(request, f"{note_url(note.pk)}#comments"))
