"""The sale page and "Remind me"."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from flashsale.models import FlashSale
from flashsale.selectors.reminders import reminders_for_viewer
from flashsale.selectors.sales import access_sale, access_sale_page, remaining_units
from flashsale.services.reminders import reminder_create
from flashsale.templatetags.flashsale import epoch_ms, sale_card


def login_then_sale(sale_id: int):
    """A signed-out buyer logs in and comes back to the sale page (not to a POST-only address)."""
    return redirect_to_login(reverse("flash:sale", args=[sale_id]))


@require_GET
def sale_detail(request, sale_id: int):
    sale = access_sale_page(sale_id=sale_id)
    now = timezone.now()
    remaining = remaining_units([sale])[sale.pk] if sale.state == FlashSale.State.PUBLISHED else 0
    reminder = reminders_for_viewer(user=request.user, sale_ids=[sale.pk]).get(sale.pk)
    card = sale_card(sale, now=now, remaining=remaining, reminder=reminder)
    return render(
        request,
        "flashsale/sale.html",
        {"c": card, "sale": sale, "now": now, "server_now_ms": epoch_ms(now)},
    )


@require_POST
def sale_remind(request, sale_id: int):
    if not request.user.is_authenticated:
        return login_then_sale(sale_id)
    sale = access_sale(sale_id=sale_id)
    try:
        reminder_create(user=request.user, sale=sale)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We'll tell you here when “%(sale)s” opens.") % {"sale": sale})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("flash:sale", args=[sale.pk])
    return redirect(target)
