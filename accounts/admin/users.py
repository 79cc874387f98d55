"""People in admin: a user with their addresses and (masked, never editable) customs identities, and the
identities and addresses on their own lists."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, CustomsIdentity, User
from core.admintools import ToolkitAdmin


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


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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
