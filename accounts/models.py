from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.idnumbers import id_number_mask, real_name_mask
from core.fields import EncryptedTextField, KeyedHashField

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


class MaskedPerson:
    """How a real name and ID number are shown anywhere: masked (accounts.idnumbers)."""

    real_name: str
    id_number: str

    @property
    def masked_number(self) -> str:
        return id_number_mask(self.id_number)

    @property
    def masked_name(self) -> str:
        return real_name_mask(self.real_name)


class CustomsIdentity(MaskedPerson, models.Model):
    """The purchaser's real name and national ID number, required by customs for cross-border orders.

    The full number is kept for customs declarations only; every page, API answer and admin screen
    shows ``masked_number`` (an operator may open the full identity, which is logged: IdentityView).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="customs_identities")
    # Encrypted at rest; the keyed hash finds and deduplicates the number (docs/architecture.md,
    # "Personal data at rest").
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("ID number"), editable=False)
    id_number_hash = KeyedHashField(source="id_number")
    is_default = models.BooleanField(_("default identity"), default=False)
    # Set when the real-name provider confirmed that the name goes with the number (accounts.realname).
    # Only a verified identity is used at checkout and in flash sales, and a number is verified on one
    # account at a time.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customs identity")
        verbose_name_plural = _("customs identities")
        ordering = ["-is_default", "-id"]
        permissions = [("reveal_customsidentity", "Can see a full identity (each look is logged)")]
        constraints = [
            models.UniqueConstraint(fields=["user", "id_number_hash"], name="identity_unique_per_user"),
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=Q(verified_at__isnull=False),
                name="identity_verified_once",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_default=True), name="identity_one_default_per_user"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.masked_name} {self.masked_number}"

    def __repr__(self) -> str:
        return f"<CustomsIdentity {self.pk} {self.masked_number}>"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class IdentityDispute(MaskedPerson, models.Model):
    """Someone says an ID number verified on another account is theirs. Operators decide (admin): upheld,
    the holder's identity loses its verification and the claimant can verify the number; rejected,
    nothing changes. The claim keeps the name and number the claimant gave, encrypted like an identity."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        REJECTED = "rejected", _("Rejected")

    claimant = models.ForeignKey(User, on_delete=models.CASCADE, related_name="identity_disputes")
    real_name = EncryptedTextField(_("real name"))
    id_number = EncryptedTextField(_("ID number"), editable=False)
    id_number_hash = KeyedHashField(source="id_number", db_index=True)
    message = models.TextField(_("message"), max_length=1000, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )

    class Meta:
        verbose_name = _("identity dispute")
        verbose_name_plural = _("identity disputes")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["claimant", "id_number_hash"],
                condition=Q(state="open"),
                name="dispute_one_open_per_claim",
            )
        ]

    def __str__(self) -> str:
        return f"{self.claimant} · {self.masked_number}"


class IdentityView(models.Model):
    """One operator's look at a full identity (real name and whole ID number): who, which, when, why.
    Written before the page shows it; nothing deletes these rows from the site."""

    operator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    # What was shown: "accounts.customsidentity:12", "mall.order:34".
    subject = models.CharField(max_length=60)
    reason = models.CharField(_("reason"), max_length=200)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity view")
        verbose_name_plural = _("identity views (audit log)")
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject", "-id"], name="identity_view_subject")]
