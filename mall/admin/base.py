"""Pieces shared by the mall's admin screens.

- ``ChangedFieldsOnlyAdmin`` saves an edited row with ``update_fields``: a change form never writes back a
  stock number, state or counter that a service moved while the operator was typing.
- ``ThroughInline`` shows rows that hang off the page's object through another table (a product's stock
  records through its SKUs, an order's refunds through its payments), which Django's inlines can't.
- ``action_page`` renders the intermediate page of an action that needs input (a tracking number per
  order, a reason...); the page posts back to the changelist and the action runs the services.
"""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.checks import InlineModelAdminChecks
from django.contrib.admin.utils import flatten_fieldsets
from django.db.models import IntegerField, Subquery, Value
from django.db.models.functions import Coalesce
from django.forms import BaseModelFormSet, modelformset_factory
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.errors import DomainError
from mall.admin_forms import ChangedFieldsOnlyForm, changed_concrete_fields
from mall.templatetags.mall import percent, yuan

APPLY = "apply"  # the submit button of an intermediate page: present when the operator confirmed
NEXT = "_next"  # where to go afterwards (an object's page when the action started there)


def money(value) -> str:
    return yuan(value) if value is not None else "—"


def rate(value) -> str:
    return percent(value) if value is not None else "—"


def related_total(rows, *, group_by: str, total) -> Coalesce:
    """A correlated subquery: ``total`` (an aggregate) over ``rows`` (filtered on an OuterRef), 0 when none.

    Used instead of a join + GROUP BY so the changelist's count, facet and date queries stay plain.
    """
    sub = rows.order_by().values(group_by).annotate(total=total).values("total")
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def badge(value: str, label, tone: str = ""):
    return format_html(
        '<span class="mall-badge{}" data-value="{}">{}</span>',
        f" mall-badge-{tone}" if tone else "",
        value,
        label,
    )


class MallAdmin(admin.ModelAdmin):
    class Media:
        css = {"all": ["css/mall-admin.css"]}


class ChangedFieldsOnlyAdmin(MallAdmin):
    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        fields = changed_concrete_fields(obj, form.changed_data)
        if fields:
            obj.save(update_fields=fields)


class ReadOnlyAdmin(MallAdmin):
    """Records written only by services (the ledger, customs answers): look, filter, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def titled(filter_class, title):
    """``filter_class`` (a field list filter) shown under ``title`` instead of the field's name."""

    class Titled(filter_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return Titled


class MallInline(admin.TabularInline):
    # The CSS hides the "Model object (1)" caption Django prints above each tabular row.
    classes = ["mall-inline"]


class ReadOnlyInline(MallInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- inlines through another table ---------------------------------------------------------------------


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


class ThroughInline(MallInline):
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


# --- actions with an intermediate page ---------------------------------------------------------------------


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
):
    """The page between choosing an action and running it.

    ``groups`` is a list of ``{"title": str | None, "rows": [{"cells": [...], "field": BoundField | None}]}``;
    the form's shared fields (a reason) follow the table.
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
    return TemplateResponse(request, "admin/mall/action_form.html", context)


def run_each(modeladmin, request, objects, run, *, label=str) -> int:
    """Call ``run(obj)`` (one service call) for each object; a refusal is an error message naming the
    object, a success the message ``run`` returns. Returns how many went through."""
    done = 0
    for obj in objects:
        try:
            text = run(obj)
        except DomainError as exc:
            modeladmin.message_user(
                request,
                _("%(object)s: %(error)s") % {"object": label(obj), "error": exc.message},
                messages.ERROR,
            )
        else:
            done += 1
            if text:
                modeladmin.message_user(request, text, messages.SUCCESS)
    return done
