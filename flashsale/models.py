"""Flash sales (docs/architecture.md, "Flash sales: Redis admits, PostgreSQL decides"): Redis admits, PostgreSQL decides.

``quota`` units are moved out of warehouse stock (allocated through the ledger) when the sale is
published; ``sold`` counts the live orders made from it and can never pass the quota (CHECK)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mall.models import MONEY, Sku, Warehouse

# An order line made by a sale carries "flashsale:<sale id>" as its referral: data the mall stores and
# never reads. Built and parsed only here.
REFERRAL_PREFIX = "flashsale:"


def sale_referral(sale_id: int) -> str:
    return f"{REFERRAL_PREFIX}{sale_id}"


def sale_id_from_referral(referral: str) -> int | None:
    """The sale a referral names, or None when it names none (another prefix, or not a number)."""
    if not referral.startswith(REFERRAL_PREFIX):
        return None
    sale_id = referral.removeprefix(REFERRAL_PREFIX)
    return int(sale_id) if sale_id.isdigit() else None


PHASE_LIVE, PHASE_UPCOMING, PHASE_PAUSED, PHASE_ENDED = "live", "upcoming", "paused", "ended"


class FlashSale(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ENDED = "ended", _("Ended")

    title = models.CharField(_("title"), max_length=60, blank=True)
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="flash_sales")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    price = models.DecimalField(_("sale price"), **MONEY)
    quota = models.PositiveIntegerField(_("quota"))
    sold = models.PositiveIntegerField(default=0)
    per_user_limit = models.PositiveSmallIntegerField(_("limit per buyer"), default=1)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    is_cross_border = models.BooleanField(_("cross-border"), default=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # Frozen: admission fails closed (after Redis lost the sale's keys, until it is rebuilt).
    frozen = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        constraints = [
            models.CheckConstraint(condition=Q(sold__lte=F("quota")), name="flashsale_sold_within_quota"),
            # An ended sale that sold nothing gave its whole quota back: zero is its true quota then.
            models.CheckConstraint(
                condition=Q(quota__gt=0) | Q(state="ended"), name="flashsale_quota_positive"
            ),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="flashsale_limit_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flashsale_window"),
            models.CheckConstraint(condition=Q(price__gt=0), name="flashsale_price_positive"),
        ]
        indexes = [models.Index(fields=["state", "ends_at"], name="flashsale_live")]

    def __str__(self) -> str:
        return self.title or f"Flash sale #{self.pk}"

    @property
    def referral(self) -> str:
        return sale_referral(self.pk)

    @property
    def is_open(self) -> bool:
        now = timezone.now()
        return self.state == self.State.PUBLISHED and self.starts_at <= now < self.ends_at

    @property
    def remaining(self) -> int:
        return self.quota - self.sold

    def phase_at(self, now) -> str:
        """What a buyer is shown, from the row alone: "live" (buying open), "upcoming", "paused" (frozen:
        admission fails closed, so nothing may say Buy now) or "ended" (ended by an operator or by time)."""
        if self.state != self.State.PUBLISHED or now >= self.ends_at:
            return PHASE_ENDED
        if self.frozen:
            return PHASE_PAUSED
        return PHASE_LIVE if self.starts_at <= now else PHASE_UPCOMING


class Reminder(models.Model):
    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="reminders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sale", "user"], name="reminder_once")]


class ReturnedUnit(models.Model):
    """Marks an order whose units went back to the sale, so a retried task gives them back once."""

    order = models.OneToOneField("mall.Order", on_delete=models.CASCADE, related_name="+")
    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="+")
    # True when the sale was over and the units went to warehouse stock (the quota shrank with them);
    # False when they went back to the running sale in Redis.
    to_warehouse = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
