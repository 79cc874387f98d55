"""Reporting notes and comments: a small form, inline through htmx or as its own page without JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.models import Report
from community.selectors.access import access_comment, access_note_for_view
from community.services.moderation import DETAIL_MAX, report_create
from core.errors import DomainError
from core.forms import form_add_service_errors


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("What's wrong with it?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label=gettext_lazy("Anything our team should know?"),
        max_length=DETAIL_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": DETAIL_MAX}),
    )


@login_required
def report_note(request, note_id: int):
    note = access_note_for_view(user=request.user, note_id=note_id)
    back = reverse("community:note", args=[note.pk])
    return _report(request, target={"note": note}, note=note, comment=None, back=back)


@login_required
def report_comment(request, comment_id: int):
    comment = access_comment(user=request.user, comment_id=comment_id)
    back = reverse("community:note", args=[comment.note_id]) + f"#comment-{comment.pk}"
    return _report(request, target={"comment": comment}, note=comment.note, comment=comment, back=back)


def _report(request, *, target: dict, note, comment, back: str):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = next_url
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = report_create(reporter=request.user, **form.cleaned_data, **target)
        except DomainError as exc:
            form_add_service_errors(form, exc)
        else:
            if request.htmx:
                return render(
                    request, "community/partials/report_done.html", {"result": result, "back": back}
                )
            messages.success(
                request,
                _("Thanks, our team will take a look.")
                if result.created
                else _("You already reported this; our team will take a look."),
            )
            return redirect(back)
    context = {
        "form": form,
        "note": note,
        "comment": comment,
        "back": back,
        "action": request.path,
        # Loaded into another page by htmx: it posts through htmx too and swaps in the answer. As a
        # page of its own it is a plain form that redirects back with a message.
        "inline": bool(request.htmx),
    }
    if request.htmx:
        # htmx swaps only 2xx answers: the form comes back with its errors in place.
        return render(request, "community/partials/report_form.html", context)
    return render(request, "community/report.html", context, status=400 if form.errors else 200)
