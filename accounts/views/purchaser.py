"""Addresses and customs identities: who receives an order and who it is declared for. Both are kept
here for checkout, which sends people to these pages and expects them back (``?next=``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import AddressForm, IdentityForm
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
@require_POST
def address_delete(request, address_id):
    address = selectors.access_address(user=request.user, address_id=address_id)
    services.address_delete(address=address)
    messages.success(request, _("Address deleted."))
    return redirect("accounts:addresses")


@login_required
@require_POST
def address_default(request, address_id):
    address = selectors.access_address(user=request.user, address_id=address_id)
    services.address_set_default(address=address)
    return redirect("accounts:addresses")


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
        else:
            messages.success(request, _("Identity saved and verified."))
            return _redirect_next(request, "accounts:identities")
    # The number typed in is never echoed back into the page, even on an error.
    if form.is_bound:
        form.data = form.data.copy()
        form.data["id_number"] = ""
    return render(request, "accounts/identity_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_POST
def identity_delete(request, identity_id):
    identity = selectors.access_identity(user=request.user, identity_id=identity_id)
    services.identity_delete(identity=identity)
    messages.success(request, _("Identity removed."))
    return redirect("accounts:identities")


@login_required
@require_POST
def identity_default(request, identity_id):
    identity = selectors.access_identity(user=request.user, identity_id=identity_id)
    services.identity_set_default(identity=identity)
    return redirect("accounts:identities")
