"""Writing and reading a note: compose, edit, delete, the note page and #topic suggestions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from community.forms import NoteForm
from community.models import BODY_MAX, IMAGES_MAX, PRODUCT_LINKS_MAX, TITLE_MAX, Note
from community.selectors.access import access_note_for_edit
from community.selectors.links import (
    fallback_products,
    note_link_items,
    order_link_items,
    partnerships_selectable,
    picked_products,
    undeclared_partner_brands,
)
from community.selectors.note_page import note_page
from community.selectors.topics import topic_suggest
from community.services.links import LinkItem, link_items_parse
from community.services.notes import note_create, note_delete, note_publish, note_update
from community.services.views_count import note_view_record
from community.text import text_linkify
from core.errors import DomainError
from core.forms import form_add_service_errors
from core.slots import optional_template
from core.visitor import visitor

FOLLOW_BUTTON = "community/partials/follow_button.html"
# "More like this" at the end of a published note, when the recs app fills the slot.
RELATED_TEMPLATE = "recs/slots/note_related.html"


def _limits() -> dict:
    return {
        "TITLE_MAX": TITLE_MAX,
        "BODY_MAX": BODY_MAX,
        "IMAGES_MAX": IMAGES_MAX,
        "PRODUCT_LINKS_MAX": PRODUCT_LINKS_MAX,
    }


def _posted_items(form: NoteForm) -> list[LinkItem]:
    """What the form posted as tagged products, read leniently to show the picker again."""
    tokens = [t for t in form.data.getlist("products") if str(t).strip()]
    try:
        return link_items_parse(tokens[: PRODUCT_LINKS_MAX * 4])
    except ValidationError:
        return []


def _links_context(
    request, form: NoteForm, *, initial_items: list[LinkItem], partnerships, tagged: list[LinkItem] = ()
) -> dict:
    """``tagged``: what the note already tags (shown even if taken off sale since)."""
    items = _posted_items(form) if form.is_bound else initial_items
    return {
        "picked": picked_products(items=items, off_sale_ok=[i.product_id for i in tagged]),
        "partnerships": partnerships,
        "fallback_products": fallback_products(user=request.user),
    }


def _disclosure_reminder(request, note_id: int) -> None:
    """Tell the writer at once when the note tags a partner brand without declaring the partnership
    (operators review it either way)."""
    brands = undeclared_partner_brands(note_id=note_id)
    if brands:
        messages.warning(
            request,
            _(
                "This note tags %(brands)s, a brand you have a partnership with. Edit the note and choose "
                "the partnership so readers know it is sponsored."
            )
            % {"brands": ", ".join(brands)},
        )


def _from_order_items(request) -> list[LinkItem]:
    number = request.GET.get("from_order")
    if number is None:
        return []
    items = order_link_items(user=request.user, number=number)
    if items is None:
        # The same words whether the order is someone else's, not delivered yet, or made up.
        messages.error(request, _("Only your own delivered orders can tag products in a note."))
        return []
    return items


@login_required
def note_new(request):
    partnerships = partnerships_selectable(user=request.user)
    initial_items = _from_order_items(request) if request.method == "GET" else []
    form = NoteForm(request.POST or None, request.FILES or None, partnerships=partnerships)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = note_create(
                author=request.user,
                title=data["title"],
                body=data["body"],
                images=data["images"],
                image_order=form.new_image_indices(),
                location=data["location"],
                visibility=data["visibility"],
                products=data["products"],
                partnership=data["partnership"],
                draft=_saving_draft(request),
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            if note.status == Note.Status.DRAFT:
                return _draft_saved(request)
            messages.success(request, _("Published. Your photos are being prepared."))
            _disclosure_reminder(request, note.pk)
            return redirect("community:note", note_id=note.pk)
    links = _links_context(request, form, initial_items=initial_items, partnerships=partnerships)
    return render(
        request,
        "community/note_form.html",
        {"form": form, "note": None, **links, **_limits()},
        status=400 if form.errors else 200,
    )


@login_required
def note_edit(request, note_id):
    note = access_note_for_edit(user=request.user, note_id=note_id)
    was_draft = note.status == Note.Status.DRAFT
    images = list(note.images.order_by("position"))
    initial = {
        "title": note.title,
        "body": note.body,
        "location": note.location,
        "visibility": note.visibility,
        "image_order": ",".join(str(i.pk) for i in images),
        "partnership": note.partnership_id,
    }
    partnerships = partnerships_selectable(user=request.user, note=note)
    form = NoteForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        note_images=images,
        partnerships=partnerships,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            note = note_update(
                note=note,
                title=data["title"],
                body=data["body"],
                location=data["location"],
                visibility=data["visibility"],
                image_order=form.edit_layout(),
                new_images=data["images"],
                products=data["products"],
                partnership=data["partnership"],
                publish=not _saving_draft(request),
            )
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            if note.status == Note.Status.DRAFT:
                return _draft_saved(request)
            messages.success(request, _("Published.") if was_draft else _("Changes saved."))
            _disclosure_reminder(request, note.pk)
            return redirect("community:note", note_id=note.pk)
    tagged = note_link_items(note_id=note.pk)
    links = _links_context(request, form, initial_items=tagged, partnerships=partnerships, tagged=tagged)
    return render(
        request,
        "community/note_form.html",
        {"form": form, "note": note, "images": images, **links, **_limits()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def note_publish_view(request, note_id):
    """The "Publish" button on a draft's page: the draft goes out as it was saved."""
    note = note_publish(note=access_note_for_edit(user=request.user, note_id=note_id))
    messages.success(request, _("Published."))
    _disclosure_reminder(request, note.pk)
    return redirect("community:note", note_id=note.pk)


def _saving_draft(request) -> bool:
    """The compose form's "Save draft" button (any other submit publishes)."""
    return request.POST.get("save") == "draft"


def _draft_saved(request):
    messages.success(request, _("Draft saved. Find it under Me to finish and publish it."))
    try:
        return redirect(reverse("accounts:me") + "#drafts")
    except NoReverseMatch:
        return redirect("home")


@login_required
@require_POST
def note_remove(request, note_id):
    note = access_note_for_edit(user=request.user, note_id=note_id)
    note_delete(note=note)
    messages.success(request, _("Note deleted."))
    try:
        return redirect(reverse("community:profile", args=[request.user.pk]))
    except NoReverseMatch:
        return redirect("home")


@require_safe
def note_detail(request, note_id):
    viewer = request.user
    page = note_page(note_id=note_id, viewer=viewer)
    note = page.note
    if not page.is_author:
        _view_record(request, note.pk)
    context = {
        "page": page,
        "note": note,
        "state": page.state,
        "author": note.author,
        "images": page.images,
        "body_html": text_linkify(note.body, mentioned=page.mentioned),
        "comments_page": _comments_first_page(note=note, viewer=viewer),
        "follow_button": _template_exists(FOLLOW_BUTTON),
        "stage_ratio": _stage_ratio(page.cover),
        "is_published": note.status == Note.Status.PUBLISHED,
        "related_template": optional_template(RELATED_TEMPLATE)
        if note.status == Note.Status.PUBLISHED
        else None,
    }
    return render(request, "community/note_detail.html", context)


@require_GET
def topic_suggestions(request):
    query = request.GET.get("q", "")
    topics = list(topic_suggest(prefix=query))
    return render(
        request, "community/partials/topic_suggestions.html", {"topics": topics, "query": query.lstrip("#")}
    )


def _stage_ratio(cover) -> str:
    """The carousel's frame on phones follows the cover's shape, kept between 4:3 and 3:4."""
    if cover is None or not cover.width or not cover.height:
        return "3 / 4"
    ratio = min(max(cover.height / cover.width, 3 / 4), 4 / 3)
    return f"1 / {ratio:.4f}"


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _comments_first_page(*, note, viewer):
    try:
        from community.selectors.comments import comments_first_page
    except ImportError:  # the comments area has not landed yet
        return None
    return comments_first_page(note=note, viewer=viewer)


def _view_record(request, note_id: int) -> None:
    """A view counts once per visitor per window: the account, or the signed visitor cookie with the client
    address (core.visitor), never the User-Agent a client chooses."""
    who = visitor(request)
    note_view_record(note_id=note_id, viewer_key=who.key, address="" if who.signed_in else who.address)
