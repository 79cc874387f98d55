from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.idnumbers import id_number_mask, real_name_mask

phone_validator = RegexValidator(
    r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number starting with 1.")
)


class User(AbstractUser):
    nickname = models.CharField(_("nickname"), max_length=24)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    bio = models.CharField(_("bio"), max_length=200, blank=True)
    # Not unique: a contact number, not a login. A uniqueness error would tell a stranger whose number is
    # registered here.
    phone = models.CharField(_("phone"), max_length=11, blank=True, null=True, validators=[phone_validator])
    likes_private = models.BooleanField(_("keep my likes private"), default=False)
    collects_private = models.BooleanField(_("keep my collects private"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs) -> None:
        # Whoever changes the password (the owner's page, an operator in admin, a reset), the API token
        # issued under the old one stops working. Here, not in a service, because Django's own forms
        # (admin, password change) call set_password() and save() directly. Sessions are ended by
        # Django itself (the session carries a hash of the password).
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user_id=self.pk).delete()

    @property
    def display_name(self) -> str:
        return self.nickname or self.username


class Address(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=11, validators=[phone_validator])
    province = models.CharField(_("province"), max_length=30)
    city = models.CharField(_("city"), max_length=30)
    district = models.CharField(_("district"), max_length=30, blank=True)
    detail = models.CharField(_("street address"), max_length=120)
    postal_code = models.CharField(
        _("postal code"), max_length=6, blank=True, validators=[RegexValidator(r"^\d{6}$", _("Six digits."))]
    )
    is_default = models.BooleanField(_("default address"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="address_one_default_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient}, {self.one_line}"

    @property
    def one_line(self) -> str:
        return " ".join(p for p in (self.province, self.city, self.district, self.detail) if p)


class CustomsIdentity(models.Model):
    """The purchaser's real name and national ID number, required by customs for cross-border orders.

    The full number is kept for customs declarations only; every page, API answer and admin screen
    shows ``masked_number``.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="customs_identities")
    real_name = models.CharField(_("real name"), max_length=40)
    id_number = models.CharField(_("ID number"), max_length=18, editable=False)
    is_default = models.BooleanField(_("default identity"), default=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customs identity")
        verbose_name_plural = _("customs identities")
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "id_number"], name="identity_unique_per_user"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="identity_one_default_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.masked_number}"

    def __repr__(self) -> str:
        return f"<CustomsIdentity {self.pk} {self.masked_number}>"

    @property
    def masked_number(self) -> str:
        return id_number_mask(self.id_number)

    @property
    def masked_name(self) -> str:
        return real_name_mask(self.real_name)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
