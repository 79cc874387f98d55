"""Addresses and customs identities: who receives an order and who it is declared for. Both are kept
here for checkout, which sends people to these pages and expects them back (``?next=``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import AddressForm, IdentityDisputeForm, IdentityForm
from core.errors import DomainError
from core.forms import form_add_service_errors


def _redirect_next(request, default: str):
    """Back to where the person came from (checkout, say) when that is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
def address_list(request):
    return render(
        request, "accounts/address_list.html", {"addresses": selectors.address_list(user=request.user)}
    )


@login_required
def address_edit(request, address_id=None):
    address = selectors.access_address(user=request.user, address_id=address_id) if address_id else None
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "make_default"}
        try:
            if address:
                address = services.address_update(address=address, data=data)
                if form.cleaned_data["make_default"]:
                    services.address_set_default(address=address)
            else:
                services.address_create(
                    user=request.user, data=data, make_default=form.cleaned_data["make_default"]
                )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Address saved."))
            return _redirect_next(request, "accounts:addresses")
    return render(
        request,
        "accounts/address_form.html",
        {"form": form, "address": address},
        status=400 if form.errors else 200,
    )


@login_required
def identity_list(request):
    return render(
        request, "accounts/identity_list.html", {"identities": selectors.identity_list(user=request.user)}
    )


@login_required
def identity_new(request):
    form = IdentityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_add(user=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
            claimed = isinstance(exc, services.IdentityClaimed)
        else:
            messages.success(request, _("Identity saved and verified."))
            return _redirect_next(request, "accounts:identities")
    else:
        claimed = False
    _forget_number(form)
    return render(
        request,
        "accounts/identity_form.html",
        {"form": form, "claimed": claimed},
        status=(409 if claimed else 400) if form.errors else 200,
    )


def _forget_number(form) -> None:
    """The number typed in is never echoed back into the page, even on an error."""
    if form.is_bound:
        form.data = form.data.copy()
        form.data["id_number"] = ""


@login_required
def identity_dispute(request):
    """Someone whose number is verified on another account says it is theirs: the claim goes to operators."""
    form = IdentityDisputeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_dispute_open(user=request.user, **form.cleaned_data)
        except (ValidationError, DomainError) as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your dispute is recorded. Our team will check it and write to you; nothing is needed meanwhile."
                ),
            )
            return redirect("accounts:identities")
    _forget_number(form)
    return render(
        request, "accounts/identity_dispute.html", {"form": form}, status=400 if form.errors else 200
    )


def _own_row_action(*, access, act, back: str, done=None, confirm_template: str | None = None):
    """A view on one of the viewer's rows: fetch it (``access``: anyone else's answers 404), run ``act``
    (one service call) on it, say ``done`` and go back to the list. With ``confirm_template`` it asks
    first: a GET, or a POST without ``confirm=yes``, shows that page and changes nothing."""

    @login_required
    @require_http_methods(["GET", "POST"] if confirm_template else ["POST"])
    def view(request, **row_id):
        row = access(user=request.user, **row_id)
        if confirm_template and (request.method != "POST" or request.POST.get("confirm") != "yes"):
            return render(request, confirm_template, {"row": row, "back": reverse(back)})
        act(row)
        if done:
            messages.success(request, done)
        return redirect(back)

    return view


address_delete = _own_row_action(
    access=selectors.access_address,
    act=lambda address: services.address_delete(address=address),
    back="accounts:addresses",
    done=gettext_lazy("Address deleted."),
)
address_default = _own_row_action(
    access=selectors.access_address,
    act=lambda address: services.address_set_default(address=address),
    back="accounts:addresses",
)
identity_delete = _own_row_action(
    access=selectors.access_identity,
    act=lambda identity: services.identity_delete(identity=identity),
    back="accounts:identities",
    done=gettext_lazy("Identity removed."),
    confirm_template="accounts/identity_delete.html",
)
identity_default = _own_row_action(
    access=selectors.access_identity,
    act=lambda identity: services.identity_set_default(identity=identity),
    back="accounts:identities",
)
