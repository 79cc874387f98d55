"""People in admin: a user with their addresses and (masked, never editable) customs identities, and the
identities and addresses on their own lists. A full identity is shown only through the "Show full
identity" action, to operators with the ``reveal_customsidentity`` permission, for a reason that is logged
(IdentityView); identity disputes are decided here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.files.uploadedfile import UploadedFile
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import Address, CustomsIdentity, IdentityDispute, IdentityView, User
from accounts.services.users import avatar_encode
from core.admintools import ActionForm, ReadOnlyAdmin, ToolkitAdmin, action_page, confirmed, run_action
from core.errors import DomainError


class RevealForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Written to the audit log with your name: a customs query, a dispute, a court order."),
    )
    shared_fields = ("reason",)


class AddressInline(admin.TabularInline):
    model = Address
    extra = 0
    fields = ["recipient", "phone", "province", "city", "district", "detail", "is_default"]
    readonly_fields = ["is_default"]


class IdentityInline(admin.TabularInline):
    """Identities are shown masked and can't be edited here: the full number never reaches a screen."""

    model = CustomsIdentity
    extra = 0
    fields = ["masked_name", "masked_number", "is_default", "verified_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class UserChangeForm(BaseUserAdmin.form):
    """An operator's avatar upload goes through the same re-encoding as the person's own
    (``avatar_encode``): never stored as uploaded."""

    avatar = forms.FileField(
        label=_("avatar"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    def clean_avatar(self):
        upload = self.cleaned_data.get("avatar")
        if isinstance(upload, UploadedFile):
            return avatar_encode(upload)
        return upload  # unchanged, or False to clear it


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Profile"),
            {"fields": ("nickname", "avatar", "bio", "phone", "likes_private", "collects_private")},
        ),
    )
    list_display = ["username", "nickname", "email", "phone", "is_staff", "date_joined"]
    search_fields = ["username", "nickname", "email", "phone"]
    inlines = [AddressInline, IdentityInline]


@admin.register(CustomsIdentity)
class CustomsIdentityAdmin(ToolkitAdmin):
    list_display = ["id", "user", "masked_name", "masked_number", "is_default", "verified_at"]
    list_select_related = ["user"]
    fields = ["user", "masked_name", "masked_number", "is_default", "verified_at", "created_at"]
    readonly_fields = fields
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    actions = ["reveal"]

    def has_reveal_permission(self, request):
        return request.user.has_perm("accounts.reveal_customsidentity")

    @admin.action(description=_("Show full identity (logged)…"), permissions=["reveal"])
    def reveal(self, request, queryset):
        identities = list(queryset.select_related("user").order_by("pk"))
        form = RevealForm(request.POST if confirmed(request) else None)
        if confirmed(request) and form.is_valid():
            try:
                shown = services.identity_reveal(
                    operator=request.user, identities=identities, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": gettext("Full identities"),
                "identities": shown,
            }
            return TemplateResponse(request, "admin/accounts/identity_revealed.html", context)
        return action_page(
            self,
            request,
            action="reveal",
            objects=identities,
            form=form,
            title=gettext("Show full identities"),
            intro=gettext(
                "The real name and whole ID number of these identities will be shown to you. Each look is "
                "written to the audit log with your name and reason."
            ),
            headers=[gettext("identity"), gettext("user"), gettext("real name"), gettext("ID number")],
            groups=[
                {
                    "title": None,
                    "rows": [
                        {"label": str(i.pk), "cells": [i.pk, i.user.username, i.masked_name, i.masked_number]}
                        for i in identities
                    ],
                }
            ],
            submit_label=gettext("Show"),
        )

    @admin.display(description=_("real name"))
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description=_("ID number"))
    def masked_number(self, obj):
        return obj.masked_number


@admin.register(Address)
class AddressAdmin(ToolkitAdmin):
    list_display = ["id", "user", "recipient", "city", "is_default"]
    list_select_related = ["user"]
    search_fields = ["user__username", "recipient", "city"]
    raw_id_fields = ["user"]


@admin.register(IdentityDispute)
class IdentityDisputeAdmin(ToolkitAdmin):
    """Claims that a number verified on one account belongs to another person. Upholding removes the
    holder's verification (the claimant may then verify the number); both are told by the team."""

    list_display = ["id", "claimant", "masked_name", "masked_number", "holder", "state", "created_at"]
    list_filter = ["state"]
    list_select_related = ["claimant"]
    fields = [
        "claimant",
        "masked_name",
        "masked_number",
        "holder",
        "message",
        "state",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = fields
    actions = ["uphold", "reject"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("real name"))
    def masked_name(self, obj):
        return obj.masked_name

    @admin.display(description=_("ID number"))
    def masked_number(self, obj):
        return obj.masked_number

    @admin.display(description=_("verified on"))
    def holder(self, obj):
        identity = (
            CustomsIdentity.objects.filter(id_number_hash=obj.id_number_hash, verified_at__isnull=False)
            .select_related("user")
            .first()
        )
        return identity.user.username if identity else "—"

    def _decide(self, request, queryset, *, uphold: bool):
        run_action(
            self,
            request,
            queryset.order_by("pk"),
            lambda dispute: services.identity_dispute_decide(
                dispute=dispute, operator=request.user, uphold=uphold
            ),
            done=_("%(n)d disputes decided."),
        )

    @admin.action(description=_("Uphold: the number is the claimant's"), permissions=["change"])
    def uphold(self, request, queryset):
        self._decide(request, queryset, uphold=True)

    @admin.action(description=_("Reject the claim"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide(request, queryset, uphold=False)


@admin.register(IdentityView)
class IdentityViewAdmin(ReadOnlyAdmin):
    """The audit log of operators' looks at full identities."""

    list_display = ["viewed_at", "operator", "subject", "reason"]
    list_select_related = ["operator"]
    search_fields = ["subject", "operator__username"]
