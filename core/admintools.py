"""The one toolkit every app's operators' screens (Django admin) are built on.

Saving only what changed
    ``ChangedFieldsOnlyForm`` / ``ChangedFieldsOnlyAdmin`` save an edited row with ``update_fields``
    limited to the columns the form changed, so a form opened a minute ago never writes back a stock
    number, a state or a counter that a service moved while the operator was typing.

Read-only screens and inlines
    ``ViewOnlyAdmin`` for rows made elsewhere that operators change only through actions (offered under
    ``permissions=["operate"]``); ``ReadOnlyAdmin`` (never deleted either) and ``ReadOnlyInline`` for
    rows only services write (ledgers, events);
    ``ThroughInline`` shows rows hanging off the page's object through another table (a product's stock
    records through its SKUs), which Django's inlines can't.

Actions
    ``run_action`` calls one service per selected row and reports what happened as messages: how many
    were done, how many were left unchanged (the service returned ``False``, or raised one of the
    ``unchanged_on`` exceptions), and each refusal (a ``DomainError``) naming its row.
    ``report_counts`` writes those count messages for callers that tally themselves.
    ``action_page`` renders the page between choosing an action and running it, for actions that need
    input (a tracking number per row, a reason); ``ActionForm`` is the form behind it, ``confirmed``
    tells whether the operator submitted that page and ``action_done`` goes back where the action began.
    ``ObjectActionsMixin`` offers a model's actions as buttons on one object's page.

Display
    ``badge`` (a coloured state label), ``admin_link`` (a link to an object's admin page),
    ``dash_if_none`` (any formatter, "—" for a missing value), ``related_total`` (an aggregate over
    related rows as a subquery) and ``titled`` (a list filter under another title).

Templates: ``admin/admintools/action_form.html`` and ``admin/admintools/change_form.html``; styles:
``css/admintools.css`` (brought in by ``ToolkitAdmin``'s media).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.db.models import IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseModelFormSet, modelformset_factory
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from core.errors import DomainError

APPLY = "apply"  # the submit button of an intermediate page: present when the operator confirmed
NEXT = "_next"  # where to go afterwards (an object's page when the action started there)
ACTION_TEMPLATE = "admin/admintools/action_form.html"
CHANGE_FORM_TEMPLATE = "admin/admintools/change_form.html"
DASH = "—"


# --- display -----------------------------------------------------------------------------------------------


def dash_if_none(value, format_value: Callable = str) -> str:
    """``format_value(value)``, or a dash when there is no value (``money = partial(dash_if_none, ...)``)."""
    return DASH if value is None else format_value(value)


def badge(value: str, label, tone: str = ""):
    """A state shown as a coloured label; ``tone`` is "", "ok", "info", "warn" or "danger"."""
    return format_html(
        '<span class="admin-badge{}" data-value="{}">{}</span>',
        f" admin-badge-{tone}" if tone else "",
        value,
        label,
    )


def related_total(rows, *, group_by: str, total) -> Coalesce:
    """A correlated subquery: ``total`` (an aggregate) over ``rows`` (filtered on an OuterRef), 0 when none.

    Used instead of a join + GROUP BY so the changelist's count, facet and date queries stay plain.
    """
    sub = rows.order_by().values(group_by).annotate(total=total).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def admin_link(obj, text):
    """``text`` linking to ``obj``'s page in admin, or a dash when there is no object."""
    if obj is None:
        return DASH
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def titled(filter_class, title):
    """``filter_class`` (a field list filter) shown under ``title`` instead of the field's name."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


# --- saving only what changed ------------------------------------------------------------------------------


def changed_concrete_fields(instance, names: Iterable[str]) -> list[str]:
    """The names among ``names`` that are concrete columns of ``instance`` (plus its auto_now stamps)."""
    concrete = {f.name: f for f in instance._meta.concrete_fields}
    fields = [n for n in names if n in concrete and not concrete[n].primary_key]
    if fields:
        fields += [n for n, f in concrete.items() if getattr(f, "auto_now", False) and n not in fields]
    return fields


class ChangedFieldsOnlyForm(forms.ModelForm):
    """A model form that writes back only the columns it changed when it saves an existing row."""

    def save(self, commit=True):
        if not commit or self.instance._state.adding:
            return super().save(commit=commit)
        fields = changed_concrete_fields(self.instance, self.changed_data)
        if fields:
            self.instance.save(update_fields=fields)
        return self.instance


# --- model admins and inlines ------------------------------------------------------------------------------


class ToolkitAdmin(admin.ModelAdmin):
    """The base of every model admin built on this toolkit: it brings the toolkit's styles.

    ``opens_on`` (list filters, e.g. ``{"state__exact": "open"}``) is where a bare visit to the list lands:
    a queue opens on what still needs a decision, and its filters stay visible and removable.
    """

    opens_on: dict[str, str] = {}

    class Media:
        css = {"all": ["css/admintools.css"]}

    def changelist_view(self, request, extra_context=None):
        if self.opens_on and not request.GET and request.method == "GET":
            return HttpResponseRedirect(f"{request.path}?{urlencode(self.opens_on)}")
        return super().changelist_view(request, extra_context)


class ChangedFieldsOnlyAdmin(ToolkitAdmin):
    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        fields = changed_concrete_fields(obj, form.changed_data)
        if fields:
            obj.save(update_fields=fields)


class ViewOnlyAdmin(ToolkitAdmin):
    """Rows made elsewhere (by people on the site, by services): shown and filtered, never added or typed
    into here, so their page is Django's view-only page. What operators may do to them are actions, one
    service call per row, offered to whoever may change the model (``permissions=["operate"]``).
    Deleting stays Django's; forbid it where a service must do it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_operate_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        # Every field shown is read-only, so ``fields`` may list columns no form could edit (created_at)
        # and display methods alike. Read from the declarations: get_fields() would ask this again.
        shown = flatten_fieldsets(self.fieldsets) if self.fieldsets else list(self.fields or ())
        return [*self.readonly_fields, *(f for f in shown if f not in self.readonly_fields)]


class ReadOnlyAdmin(ViewOnlyAdmin):
    """Records written only by services (ledgers, gateways' answers): look, filter, never touch."""

    def has_delete_permission(self, request, obj=None):
        return False


class ToolkitInline(admin.TabularInline):
    # The styles hide the "Model object (1)" caption Django prints above each tabular row.
    classes = ["admin-inline"]


class ReadOnlyInline(ToolkitInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ThroughInlineChecks(InlineModelAdminChecks):
    # There is no foreign key to the parent on purpose: the rows are found through ``through_lookup``.
    def _check_relation(self, obj, parent_model):
        return []

    def _check_exclude_of_parent_model(self, obj, parent_model):
        return []


class ThroughFormSet(BaseModelFormSet):
    lookup = ""
    prefix_name = "rows"

    def __init__(self, data=None, files=None, instance=None, save_as_new=False, queryset=None, **kwargs):
        self.instance = instance
        if queryset is None:
            queryset = self.model._default_manager.all()
        if instance is not None and instance.pk is not None:
            queryset = queryset.filter(**{self.lookup: instance})
        else:
            queryset = queryset.none()
        super().__init__(data, files, queryset=queryset, **kwargs)

    @classmethod
    def get_default_prefix(cls):
        return cls.prefix_name


class ThroughInline(ToolkitInline):
    """Rows of ``model`` whose ``through_lookup`` (e.g. ``"sku__product"``) is the page's object.

    Rows are never added or deleted here; fields not listed in ``readonly_fields`` can be edited and are
    saved with ``update_fields``.
    """

    checks_class = _ThroughInlineChecks
    through_lookup = ""
    extra = 0
    max_num = 0
    can_delete = False
    form = ChangedFieldsOnlyForm

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_formset(self, request, obj=None, **kwargs):
        readonly = set(self.get_readonly_fields(request, obj))
        fields = [f for f in flatten_fieldsets(self.get_fieldsets(request, obj)) if f not in readonly]
        can_change = self.has_change_permission(request, obj)
        base_form = self.form

        class ViewOnlyGuardForm(base_form):
            def has_changed(self):
                # Without the change permission nothing posted is taken, as Django's inlines do.
                return can_change and super().has_changed()

        formset = type(
            f"{self.model.__name__}ThroughFormSet",
            (ThroughFormSet,),
            {"lookup": self.through_lookup, "prefix_name": self.opts.model_name + "_rows"},
        )
        return modelformset_factory(
            self.model,
            form=ViewOnlyGuardForm,
            formset=formset,
            fields=fields,
            formfield_callback=partial(self.formfield_for_dbfield, request=request),
            extra=0,
            max_num=0,
            can_delete=False,
        )


class ObjectActionsMixin:
    """A model admin whose object page offers some of its actions as buttons; each button posts the same
    action as the changelist, for that one object, and comes back to the page.

    Override ``object_actions`` (the ``(action name, button label)`` pairs this object offers now) and, for
    objects whose own name means nothing to an operator, ``object_label``.
    """

    change_form_template = CHANGE_FORM_TEMPLATE

    def object_actions(self, request, obj) -> list[tuple[str, str]]:
        return []

    def object_label(self, obj) -> str | None:
        return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            label = self.object_label(obj)
            extra_context = {
                **(extra_context or {}),
                "object_actions": self.object_actions(request, obj),
                **({"subtitle": label, "object_label": label} if label else {}),
            }
        return super().change_view(request, object_id, form_url, extra_context)


def offered_actions(offered: dict[str, bool], labels: dict[str, str]) -> list[tuple[str, str]]:
    """The ``(name, label)`` pairs of the actions ``offered`` marks as available, in its order."""
    return [(name, labels[name]) for name, shown in offered.items() if shown]


# --- running an action -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionCounts:
    done: int = 0
    unchanged: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.done + self.unchanged + self.failed


def _counted(message, n: int) -> str:
    """``message`` is a text with ``%(n)d`` or a function of n giving one (for ``ngettext``)."""
    text = message(n) if callable(message) else message
    return text % {"n": n}


def report_counts(
    modeladmin,
    request,
    counts: ActionCounts,
    *,
    done=None,
    unchanged=None,
    failed=None,
) -> None:
    """Tell the operator how an action went: ``done`` always (SUCCESS), ``unchanged`` (INFO) and ``failed``
    (WARNING) when there are any. Each message is a text with ``%(n)d`` or a function of the count."""
    if done is not None:
        modeladmin.message_user(request, _counted(done, counts.done), messages.SUCCESS)
    if unchanged is not None and counts.unchanged:
        modeladmin.message_user(request, _counted(unchanged, counts.unchanged), messages.INFO)
    if failed is not None and counts.failed:
        modeladmin.message_user(request, _counted(failed, counts.failed), messages.WARNING)


def run_action(
    modeladmin,
    request,
    objects: Iterable,
    run: Callable,
    *,
    label: Callable | None = str,
    unchanged_on: tuple[type[Exception], ...] = (),
    refusal_level: int = messages.ERROR,
    done=None,
    unchanged=None,
    failed=None,
) -> ActionCounts:
    """Call ``run(obj)`` (one service call) for each object and report the outcome as messages.

    - ``run`` returns ``False``, or raises one of ``unchanged_on``: the object was left as it was.
    - ``run`` raises a ``DomainError``: a refusal, reported as "<label(obj)>: <reason>" at
      ``refusal_level`` (just the reason when ``label`` is None).
    - otherwise it was done; when ``run`` returns a text, that text is the object's success message.

    ``done`` / ``unchanged`` / ``failed`` add count messages afterwards (see ``report_counts``).
    """
    done_count = unchanged_count = failed_count = 0
    for obj in objects:
        try:
            result = run(obj)
        except unchanged_on:
            unchanged_count += 1
        except DomainError as exc:
            failed_count += 1
            text = (
                exc.message
                if label is None
                else _("%(object)s: %(error)s")
                % {
                    "object": label(obj),
                    "error": exc.message,
                }
            )
            modeladmin.message_user(request, text, refusal_level)
        else:
            if result is False:
                unchanged_count += 1
                continue
            done_count += 1
            if isinstance(result, str) and result:
                modeladmin.message_user(request, result, messages.SUCCESS)
    counts = ActionCounts(done=done_count, unchanged=unchanged_count, failed=failed_count)
    report_counts(modeladmin, request, counts, done=done, unchanged=unchanged, failed=failed)
    return counts


# --- actions with an intermediate page ---------------------------------------------------------------------


class ActionForm(forms.Form):
    """The form of an intermediate page: one row of inputs per selected object (``row_field``), plus
    fields shared by all of them (``shared_fields``, shown after the table)."""

    shared_fields: tuple[str, ...] = ()

    def shared(self):
        return [self[name] for name in self.shared_fields]

    def row_field(self, obj):
        return None


def next_url(request) -> str | None:
    target = request.POST.get(NEXT) or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def action_done(request):
    """Where an action goes when it has run: back to the page it was started from, else the list."""
    target = next_url(request)
    return HttpResponseRedirect(target) if target else None


def confirmed(request) -> bool:
    return APPLY in request.POST


def action_page(
    modeladmin,
    request,
    *,
    action: str,
    objects: list,
    form,
    title: str,
    intro: str,
    headers: list[str],
    groups: list[dict],
    submit_label: str,
    danger: bool = False,
    template: str = ACTION_TEMPLATE,
):
    """The page between choosing an action and running it.

    ``groups`` is a list of ``{"title": str | None, "rows": [{"label": str, "cells": [...],
    "field": BoundField | None}]}``; the form's shared fields (a reason) follow the table.
    """
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": opts,
        "app_label": opts.app_label,
        "title": title,
        "subtitle": None,
        "intro": intro,
        "form": form,
        "headers": headers,
        "groups": groups,
        "action": action,
        "selected": [obj.pk for obj in objects],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "apply_name": APPLY,
        "next_name": NEXT,
        "next": next_url(request) or "",
        "submit_label": submit_label,
        "danger": danger,
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, template, context)
