from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Address, User


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignUpForm(forms.Form):
    username = forms.RegexField(
        label=_("Username"),
        max_length=30,
        regex=r"^[A-Za-z0-9_.-]{3,30}$",
        error_messages={"invalid": _("3 to 30 letters, digits, dots, dashes or underscores.")},
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    nickname = forms.CharField(label=_("Nickname"), max_length=24, required=False)
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class ProfileForm(forms.ModelForm):
    avatar_upload = forms.FileField(
        label=_("Avatar"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )

    class Meta:
        model = User
        fields = ["nickname", "bio", "phone", "likes_private", "collects_private"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 3, "maxlength": 200})}


class AddressForm(forms.ModelForm):
    make_default = forms.BooleanField(label=_("Use as my default address"), required=False)

    class Meta:
        model = Address
        fields = ["recipient", "phone", "province", "city", "district", "detail", "postal_code"]


class IdentityForm(forms.Form):
    real_name = forms.CharField(
        label=_("Real name"), max_length=40, help_text=_("Exactly as on your ID card.")
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
        help_text=_("18 characters. Customs needs it for cross-border orders; we only ever show it masked."),
    )
    make_default = forms.BooleanField(label=_("Use as my default identity"), required=False)


class IdentityDisputeForm(IdentityForm):
    """The same name and number as adding an identity, and a word for the team that decides the claim."""

    make_default = None
    message = forms.CharField(
        label=_("What should our team know?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How we can reach you to check your ID card. Never type your full ID number here."),
    )
