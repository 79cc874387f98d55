"""A person's own page and their profile: name, bio, phone, privacy switches, avatar."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import selectors, services
from accounts.forms import ProfileForm
from core.forms import form_add_service_errors
from core.slots import optional_template

# What upper apps add to "Me", in the page's order (docs/architecture.md, "How a lower app shows an upper
# app's content"): my notes, drafts, collects and likes; my orders and cart; my creator statistics.
ME_SLOTS = {
    "notes": "community/slots/me_notes.html",
    "shopping": "mall/slots/me_shopping.html",
    "creator": "community/slots/me_creator.html",
}


@login_required
def me(request):
    return render(
        request,
        "accounts/me.html",
        {
            "addresses": selectors.address_list(user=request.user)[:1],
            "identity": selectors.identity_default(user=request.user),
            "slots": {key: optional_template(name) for key, name in ME_SLOTS.items()},
        },
    )


@login_required
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in ProfileForm.Meta.fields}
            if form.cleaned_data.get("avatar_upload"):
                services.user_avatar_set(user=user, upload=form.cleaned_data["avatar_upload"])
            services.user_profile_update(user=user, **fields)
        except ValidationError as exc:
            user.refresh_from_db()
            form_add_service_errors(form, _avatar_errors(exc))
        else:
            messages.success(request, _("Profile saved."))
            return redirect("accounts:me")
    return render(request, "accounts/profile_edit.html", {"form": form}, status=400 if form.errors else 200)


def _avatar_errors(exc: ValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return exc
    return ValidationError({"avatar_upload": exc.messages})
