"""What each console button and list action does: one service call per sale, and what to tell the
operator. A refused action (not enough stock, Redis away, wrong state) is the service's ``DomainError``,
reported by ``core.admintools.run_action`` with nothing changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admintools import ActionCounts, run_action
from flashsale.models import FlashSale
from flashsale.services import sales as sale_services

State = FlashSale.State


def _publish(request, sale: FlashSale) -> tuple[int, str]:
    sale = sale_services.sale_publish(sale=sale, actor=request.user)
    return messages.SUCCESS, _("Published “%(sale)s”: %(n)d units moved out of %(w)s into the sale.") % {
        "sale": sale,
        "n": sale.quota,
        "w": sale.warehouse,
    }


def _warm(request, sale: FlashSale) -> tuple[int, str]:
    sale_services.sale_warm(sale=sale)
    return messages.SUCCESS, _("Loaded “%(sale)s” into Redis: buyers can be admitted.") % {"sale": sale}


def _freeze(request, sale: FlashSale) -> tuple[int, str]:
    sale_services.sale_freeze(sale=sale)
    return messages.WARNING, _("Froze “%(sale)s”: nobody is admitted until it is resumed.") % {"sale": sale}


def _resume(request, sale: FlashSale) -> tuple[int, str]:
    sale_services.sale_resume(sale=sale)
    return messages.SUCCESS, _("Rebuilt “%(sale)s” in Redis from the database and resumed admission.") % {
        "sale": sale
    }


def _end(request, sale: FlashSale) -> tuple[int, str]:
    quota_before = sale.quota
    sale = sale_services.sale_end(sale=sale, actor=request.user)
    return messages.SUCCESS, _("Ended “%(sale)s”: %(n)d unsold units went back to %(w)s.") % {
        "sale": sale,
        "n": quota_before - sale.quota,
        "w": sale.warehouse,
    }


def _reconcile(request, sale: FlashSale) -> tuple[int, str]:
    f = sale_services.sale_reconcile(sale=sale)
    numbers = {
        "sale": sale,
        "quota": f.quota,
        "redis": "?" if f.redis_stock is None else f.redis_stock,
        "waiting": "?" if f.waiting is None else f.waiting,
        "live": f.live_orders,
        "drift": "?" if f.drift is None else f.drift,
    }
    if f.drift == 0:
        return messages.SUCCESS, _(
            "“%(sale)s” balances: quota %(quota)s = Redis stock %(redis)s + waiting %(waiting)s "
            "+ live orders %(live)s."
        ) % numbers
    return messages.ERROR, _(
        "“%(sale)s” drifts by %(drift)s: quota %(quota)s, Redis stock %(redis)s, waiting %(waiting)s, "
        "live orders %(live)s."
    ) % numbers


@dataclass(frozen=True)
class SaleAction:
    name: str
    label: str
    run: Callable  # (request, sale) -> (message level, message); raises DomainError when refused
    states: tuple[str, ...]  # the sale states in which the console offers the button
    danger: bool = False


ACTIONS = {
    a.name: a
    for a in [
        SaleAction("publish", gettext_lazy("Publish"), _publish, (State.DRAFT,)),
        SaleAction("warm", gettext_lazy("Warm (load into Redis)"), _warm, (State.PUBLISHED,)),
        SaleAction("freeze", gettext_lazy("Freeze"), _freeze, (State.PUBLISHED,), danger=True),
        SaleAction("resume", gettext_lazy("Resume (rebuild)"), _resume, (State.PUBLISHED,)),
        SaleAction("end", gettext_lazy("End now"), _end, (State.PUBLISHED,), danger=True),
        SaleAction("reconcile", gettext_lazy("Reconcile"), _reconcile, (State.PUBLISHED, State.ENDED)),
    ]
}


def sale_actions_run(modeladmin, request, sales: Iterable[FlashSale], name: str) -> ActionCounts:
    """Run one action on each sale through the toolkit: a refusal names its sale, nothing changed."""
    action = ACTIONS[name]

    def run(sale: FlashSale):
        level, text = action.run(request, sale)
        if level == messages.SUCCESS:
            return text
        # A frozen sale or a drifting one is done but worth a warning colour, not a green message.
        modeladmin.message_user(request, text, level)
        return True

    return run_action(modeladmin, request, sales, run, label=lambda sale: f"“{sale}”")
