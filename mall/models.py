"""The self-operated cross-border mall: catalog, bonded-warehouse stock with its ledger, carts,
reservations, orders with their timeline, payments and customs declarations (docs/architecture.md,
"Inventory and the stock ledger" and "The order state machine")."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.idnumbers import id_number_mask
from core.fields import EncryptedTextField, KeyedHashField

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


# --- Catalog ------------------------------------------------------------------------------------------


class Brand(models.Model):
    class Authorization(models.TextChoices):
        OFFICIAL = "official", _("Official brand store")
        DISTRIBUTOR = "distributor", _("Authorized distributor")

    name = models.CharField(_("name"), max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    country = models.CharField(_("country of origin"), max_length=40)
    authorization = models.CharField(_("authorization"), max_length=12, choices=Authorization.choices)
    authorization_ref = models.CharField(_("authorization document"), max_length=80, blank=True)
    authorized_until = models.DateField(_("authorized until"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = models.ImageField(upload_to="brands/", blank=True)

    class Meta:
        verbose_name = _("brand")
        verbose_name_plural = _("brands")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    name = models.CharField(_("name"), max_length=40)
    slug = models.SlugField(max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveSmallIntegerField(default=0)
    icon = models.CharField(max_length=8, blank=True, help_text=_("An emoji shown in the round icon."))

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="category_not_own_parent")]

    def __str__(self) -> str:
        return self.name


class TaxCategory(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=4, default=Decimal("0.13"))
    consumption_rate = models.DecimalField(
        _("consumption tax rate"), max_digits=5, decimal_places=4, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("tax category")
        verbose_name_plural = _("tax categories")
        constraints = [
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lt=1), name="tax_vat_range"),
            models.CheckConstraint(
                condition=Q(consumption_rate__gte=0, consumption_rate__lt=1), name="tax_consumption_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cross_border_rate(self) -> Decimal:
        """Cross-border retail import: duty 0, (consumption + VAT) / (1 - consumption) x 70%."""
        rate = (self.consumption_rate + self.vat_rate) / (1 - self.consumption_rate) * Decimal("0.7")
        return rate.quantize(Decimal("0.0001"))


class Product(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    tax_category = models.ForeignKey(TaxCategory, on_delete=models.PROTECT, related_name="products")
    description = models.TextField(_("description"), blank=True)
    is_cross_border = models.BooleanField(_("cross-border (bonded)"), default=True)
    is_active = models.BooleanField(_("on sale"), default=True)
    # The lowest active SKU price, kept by the catalog services for listing filters and sorts.
    min_price = models.DecimalField(**MONEY, default=Decimal("0.00"))
    sales_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # Names, brand, categories and descriptions in every language, segmented by core.segment and kept by
    # mall.services.search (docs/architecture.md, "Product search").
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        indexes = [
            GinIndex(fields=["search_vector"], name="product_search"),
            models.Index(fields=["category", "-id"], name="product_category"),
            models.Index(fields=["brand", "-id"], name="product_brand"),
            models.Index(fields=["min_price", "id"], name="product_price"),
            models.Index(fields=["-sales_count", "-id"], name="product_sales"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    width = models.PositiveIntegerField(default=800)
    height = models.PositiveIntegerField(default=800)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Sku(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="skus")
    code = models.CharField(_("SKU code"), max_length=40, unique=True)
    name = models.CharField(_("variant"), max_length=60)
    price = models.DecimalField(_("price"), **MONEY)
    barcode = models.CharField(_("barcode"), max_length=20, blank=True)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["price", "id"]
        constraints = [models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive")]

    def __str__(self) -> str:
        return f"{self.product.name} · {self.name}" if self.product_id else self.name


# --- Warehouses and stock --------------------------------------------------------------------------------


class Warehouse(models.Model):
    class Kind(models.TextChoices):
        BONDED = "bonded", _("Bonded warehouse")
        DOMESTIC = "domestic", _("Domestic warehouse")

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BONDED)
    customs_district = models.CharField(_("customs district"), max_length=40, blank=True)
    supervision_mode = models.CharField(_("supervision mode"), max_length=8, default="1210")
    # Where buyers send returns of goods that left from here (shown on an approved return's order page);
    # blank: the setting RETURN_ADDRESS.
    return_address = models.TextField(_("return address"), blank=True, db_default="")

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class StockRecord(models.Model):
    """Stock of one SKU in one warehouse. Changed only by mall.services.stock, which writes the ledger."""

    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="stock_records")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stock_records")
    on_hand = models.IntegerField(default=0)
    allocated = models.IntegerField(default=0)
    low_stock_threshold = models.PositiveIntegerField(default=10)

    class Meta:
        verbose_name = _("stock record")
        verbose_name_plural = _("stock records")
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_one_per_sku_warehouse"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_nonnegative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_allocated_nonnegative"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("on_hand")), name="stock_allocated_within_on_hand"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id}@{self.warehouse_id}"


class StockMovement(models.Model):
    """Append-only: stock totals always equal the sum of these rows. Corrections are new rows."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("Received (put away)")
        RESERVED = "reserved", _("Reserved at checkout")
        RELEASED = "released", _("Reservation released")
        ALLOCATED = "allocated", _("Allocated to an order")
        DEALLOCATED = "deallocated", _("Allocation released")
        SHIPPED = "shipped", _("Shipped")
        RETURNED = "returned", _("Returned")
        ADJUSTED = "adjusted", _("Adjusted")
        FLASH_IN = "flash_in", _("Moved into a flash-sale quota")
        FLASH_OUT = "flash_out", _("Returned from a flash-sale quota")
        CUSTOMS_REJECTED = "customs_rejected", _("Released after customs rejection")

    stock_record = models.ForeignKey(StockRecord, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    on_hand_delta = models.IntegerField(default=0)
    allocated_delta = models.IntegerField(default=0)
    # Reservations do not change on_hand or allocated; their quantity is recorded here for the record.
    quantity = models.IntegerField(default=0)
    on_hand_after = models.IntegerField()
    allocated_after = models.IntegerField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(_("source document"), max_length=60, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock ledger")
        indexes = [models.Index(fields=["stock_record", "id"], name="movement_record")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ValueError("stock movements are append-only")
        super().save(*args, **kwargs)


class InboundShipment(models.Model):
    class State(models.TextChoices):
        CREATED = "created", _("Created")
        IN_TRANSIT = "in_transit", _("In transit")
        ARRIVED = "arrived", _("Arrived")
        DECLARED = "declared", _("Declared for entry")
        INSPECTED = "inspected", _("Inspected")
        PUT_AWAY = "put_away", _("Put away")

    reference = models.CharField(max_length=40, unique=True)
    supplier = models.CharField(_("overseas source"), max_length=80)
    origin_country = models.CharField(max_length=40, blank=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="inbound_shipments")
    state = models.CharField(max_length=12, choices=State.choices, default=State.CREATED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("inbound shipment")
        verbose_name_plural = _("inbound shipments")

    def __str__(self) -> str:
        return self.reference


class InboundLine(models.Model):
    shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    quantity_expected = models.PositiveIntegerField()
    quantity_received = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shipment", "sku"], name="inbound_line_once")]

    @property
    def units_to_put_away(self) -> int:
        """What enters stock when the shipment is put away: the units counted, or the units expected when
        nobody counted this line."""
        return self.quantity_expected if self.quantity_received is None else self.quantity_received


class ReservationQuerySet(models.QuerySet):
    def live(self, now=None):
        """Holds that still count against stock at ``now`` (Saleor's ``not_expired()``): the one place
        that says when a reservation stops counting."""
        return self.filter(reserved_until__gt=now or timezone.now())

    def expired(self, now=None):
        return self.filter(reserved_until__lte=now or timezone.now())


class Reservation(models.Model):
    """A checkout's hold on stock. Counts against availability until ``reserved_until``; expired holds
    stop counting at once and a periodic task deletes them."""

    stock_record = models.ForeignKey(StockRecord, on_delete=models.CASCADE, related_name="reservations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    checkout_token = models.CharField(max_length=40, db_index=True)
    quantity = models.PositiveIntegerField()
    reserved_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["stock_record", "reserved_until"], name="reservation_live")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_positive")]


# --- Cart ---------------------------------------------------------------------------------------------


class Cart(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="cart"
    )
    # Anonymous carts are found by a random token kept in the session; merged into the user's on login.
    token = models.CharField(max_length=40, unique=True)
    updated_at = models.DateTimeField(auto_now=True)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    referral = models.CharField(max_length=40, blank=True)
    selected = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "sku"], name="cart_line_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0, quantity__lte=99), name="cart_line_quantity"),
        ]


# --- Orders -------------------------------------------------------------------------------------------


class Order(models.Model):
    class State(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid")
        DECLARED = "declared", _("Declared to customs")
        CLEARED = "cleared", _("Cleared customs")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        REFUND_DUE = "refund_due", _("Refund due")
        CUSTOMS_REJECTED = "customs_rejected", _("Rejected by customs")
        REFUNDED = "refunded", _("Refunded")
        RETURN_REQUESTED = "return_requested", _("Return requested")
        RETURNED = "returned", _("Returned")

    # Paid and not undone (cancelled, owed back, rejected by customs, refunded, returned): a sale. Sales
    # figures (statistics, demand) count these; the customs quota also counts orders awaiting payment.
    SOLD_STATES = (
        State.PAID,
        State.DECLARED,
        State.CLEARED,
        State.SHIPPED,
        State.DELIVERED,
        State.COMPLETED,
        State.RETURN_REQUESTED,
    )

    number = models.CharField(max_length=24, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING_PAYMENT)
    idempotency_key = models.CharField(max_length=64)
    is_cross_border = models.BooleanField(default=True)
    # False when the units were set aside by someone else (a flash sale's quota): cancelling such an
    # order leaves the ledger alone and the holder gets the unit back through mall.signals.
    holds_own_stock = models.BooleanField(default=True)
    subtotal = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    shipping_total = models.DecimalField(**MONEY, default=Decimal("0.00"))
    total = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="CNY")
    # Snapshots: what the buyer saw and customs needs, whatever happens to the address book later.
    ship_to = models.JSONField(default=dict)
    # The purchaser's name and ID number for the customs declaration: encrypted at rest, never displayed
    # (see masked_id_number); the keyed hash counts the purchaser's quota and unpaid orders
    # (docs/architecture.md, "Personal data at rest").
    buyer_name = EncryptedTextField(blank=True)
    buyer_id_number = EncryptedTextField(blank=True, editable=False)
    buyer_id_hash = KeyedHashField(source="buyer_id_number")
    payment_deadline = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    # When it left the warehouse: the sandbox carrier's timeline starts here.
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # A database default too: the flash-sale materialiser inserts orders with its own SQL.
    # A code of mall.carriers.CARRIER_NAMES (older orders: a name as typed); shown by carrier_label.
    carrier = models.CharField(max_length=40, blank=True, db_default="")
    tracking_number = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["user", "idempotency_key"], name="order_idempotent"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_nonnegative"),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="order_user_recent"),
            models.Index(fields=["state", "payment_deadline"], name="order_state_deadline"),
            models.Index(fields=["buyer_id_hash", "state"], name="order_quota"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def masked_id_number(self) -> str:
        return id_number_mask(self.buyer_id_number)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey(Sku, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    sku_name = models.CharField(max_length=60)
    sku_code = models.CharField(max_length=40)
    unit_price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4)
    tax_amount = models.DecimalField(**MONEY)
    line_total = models.DecimalField(**MONEY)
    # Attribution, as data: "note:42", "flashsale:7". The mall never interprets it.
    referral = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity")]


class OrderEvent(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What happened, as written: a person's own words (a cancel or return reason), or the site's sentence in
    # the language of whoever caused it (the admin's timeline, logs).
    message = models.CharField(max_length=200, blank=True)
    # The site's sentence untranslated (a gettext msgid) with its parameters, made in the reader's
    # language when shown (``text``): a worker writes in English, a Chinese shopper reads it in Chinese.
    # (Database defaults too: the flash sale inserts first events in raw SQL.)
    message_id = models.CharField(max_length=200, blank=True, default="", db_default="")
    message_params = models.JSONField(default=dict, db_default={}, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    @property
    def text(self) -> str:
        """The message in the active language (``message`` as written when it is a person's words)."""
        if not self.message_id:
            return self.message
        try:
            return order_event_sentence(self.message_id, self.message_params or {})
        except (KeyError, TypeError, ValueError):  # a msgid whose translation lost a placeholder
            return self.message


def order_event_sentence(msgid: str, params: dict) -> str:
    """``msgid`` in the active language with ``params`` in it; a ``carrier`` is a carrier's code, named in
    the active language too."""
    from django.utils.translation import gettext

    from mall.carriers import carrier_label

    values = {k: carrier_label(v) if k == "carrier" else v for k, v in params.items()}
    return gettext(msgid) % values if values else gettext(msgid)


class ParcelEvent(models.Model):
    """What the carrier reported about an order's parcel. The description is the code's label, made in
    the reader's language when shown; one row per (order, code), so polling again never duplicates."""

    class Code(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up by the carrier")
        DEPARTED_WAREHOUSE = "departed_warehouse", _("Left the bonded warehouse")
        IN_TRANSIT = "in_transit", _("In transit")
        ARRIVED_CITY = "arrived_city", _("Arrived in your city")
        OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
        DELIVERED = "delivered", _("Delivered")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parcel_events")
    code = models.CharField(max_length=20, choices=Code.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=80, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["order", "code"], name="parcel_event_once")]


class Payment(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=64, unique=True)
    amount = models.DecimalField(**MONEY)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Who the gateway says paid (customs matches them to the purchaser): encrypted at rest.
    payer_name = EncryptedTextField(blank=True)
    payer_id_number = EncryptedTextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)


class PaymentEvent(models.Model):
    """Every webhook delivery we accepted, unique by the gateway's event id: duplicates change nothing."""

    event_id = models.CharField(max_length=64, unique=True)
    payment = models.ForeignKey(Payment, null=True, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=30)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)


class Refund(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    reason = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive")]


class CustomsDeclaration(models.Model):
    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        CLEARED = "cleared", _("Cleared")
        REJECTED = "rejected", _("Rejected")

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="declaration")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED)
    reference = models.CharField(max_length=40, blank=True)
    waybill = models.CharField(max_length=40)
    rejection_reason = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("customs declaration")
        verbose_name_plural = _("customs declarations")


class ReturnRequest(models.Model):
    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="return_request")
    reason = models.CharField(max_length=200)
    requested_at = models.DateTimeField(auto_now_add=True)
    # An operator agreed to take it back: the buyer is told to send it (optional: receiving needs no approval).
    approved_at = models.DateTimeField(null=True, blank=True)
    # The buyer's parcel back to us (once, after approval): a carrier code and its tracking number.
    return_carrier = models.CharField(max_length=40, blank=True, db_default="")
    return_tracking_number = models.CharField(max_length=40, blank=True, db_default="")
    return_sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
