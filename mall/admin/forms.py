"""Forms of the mall's operators' screens: the catalog's inline rows, and the intermediate pages of
the admin actions (adjust stock, receive a shipment, ship, refund, cancel).

The action forms only collect what an operator types; the services decide. Rows that already exist are
saved with ``update_fields`` limited to what the form changed (core/admintools.py), so a form opened a minute ago can never
write back a stale stock number, order state or sales counter that a service moved meanwhile.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.admintools import ActionForm, ChangedFieldsOnlyForm
from core.errors import DomainError
from mall.carriers import get_carrier, tracking_number_clean
from mall.models import Category, InboundLine, InboundShipment, Order, ProductImage, Sku, StockRecord
from mall.services.catalog import brand_logo_encode, product_image_encode


class SkuCodeField(forms.ModelChoiceField):
    """An SKU typed by its code, as printed on labels and supplier paperwork (not a database id)."""

    widget = forms.TextInput
    default_error_messages = {"invalid_choice": gettext_lazy("No SKU has this code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("SKU code"))
        super().__init__(queryset=Sku.objects.select_related("product"), to_field_name="code", **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)

    def prepare_value(self, value):
        if isinstance(value, Sku):
            return value.code
        if isinstance(value, int):
            return Sku.objects.filter(pk=value).values_list("code", flat=True).first() or value
        return super().prepare_value(value)


# --- catalog ----------------------------------------------------------------------------------------------


class CategoryForm(ChangedFieldsOnlyForm):
    class Meta:
        model = Category
        fields = ["name", "slug", "parent", "position", "icon"]

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is None or self.instance.pk is None:
            return parent
        # Walk up from the chosen parent: meeting this category again would make the tree a loop.
        seen, node = set(), parent
        while node is not None and node.pk not in seen:
            if node.pk == self.instance.pk:
                raise ValidationError(_("A category can't sit under itself or one of its subcategories."))
            seen.add(node.pk)
            node = node.parent
        return parent


IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class BrandForm(ChangedFieldsOnlyForm):
    """A brand; its logo is stored re-encoded (``brand_logo_encode``), never as uploaded."""

    logo = forms.FileField(
        label=gettext_lazy("logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if isinstance(upload, UploadedFile):
            return brand_logo_encode(upload)
        return upload  # unchanged, or False to clear it


class SkuInlineForm(ChangedFieldsOnlyForm):
    class Meta:
        model = Sku
        fields = ["code", "name", "price", "barcode", "weight_grams", "is_active"]

    def clean_price(self):
        price = self.cleaned_data.get("price")
        if price is not None and price <= 0:
            raise ValidationError(_("The price must be above zero."))
        return price


class ProductImageForm(ChangedFieldsOnlyForm):
    """A product photo, stored re-encoded (``product_image_encode``: WebP, pixels only, a random name);
    its pixel size is the stored file's (the shop reserves that space). A plain file field: the photo is
    judged by core.images alone, which reads a header before Pillow allocates anything."""

    image = forms.FileField(
        label=gettext_lazy("Image"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )

    class Meta:
        model = ProductImage
        fields = ["image", "position"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload and "image" in self.changed_data:
            content, width, height = product_image_encode(upload)
            self.instance.width, self.instance.height = width, height
            return content
        return upload

    def save(self, commit=True):
        if "image" in self.changed_data and not self.instance._state.adding and commit:
            self.instance.save(update_fields=["image", "width", "height", "position"])
            return self.instance
        return super().save(commit=commit)


class StockThresholdForm(ChangedFieldsOnlyForm):
    class Meta:
        model = StockRecord
        fields = ["low_stock_threshold"]


# --- inbound ----------------------------------------------------------------------------------------------


class InboundShipmentForm(ChangedFieldsOnlyForm):
    class Meta:
        model = InboundShipment
        fields = ["reference", "supplier", "origin_country", "warehouse"]


class InboundLineForm(ChangedFieldsOnlyForm):
    sku = SkuCodeField()

    class Meta:
        model = InboundLine
        fields = ["sku", "quantity_expected"]

    def clean_quantity_expected(self):
        quantity = self.cleaned_data.get("quantity_expected")
        if quantity is not None and quantity <= 0:
            raise ValidationError(_("Expect at least 1 unit."))
        return quantity


# --- intermediate pages of the admin actions ----------------------------------------------------------


class StockAdjustForm(ActionForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        help_text=gettext_lazy(
            "Recorded on the ledger with each change, e.g. “stocktake 3 May: 2 jars broken”."
        ),
    )
    shared_fields = ("reason",)

    def __init__(self, *args, records: list[StockRecord], **kwargs):
        super().__init__(*args, **kwargs)
        self.records = records
        for record in records:
            self.fields[f"delta_{record.pk}"] = forms.IntegerField(
                label=gettext_lazy("Change in units on hand"),
                required=False,
                min_value=-1_000_000,
                max_value=1_000_000,
                widget=forms.NumberInput(attrs={"placeholder": "±0", "class": "vIntegerField"}),
            )

    def row_field(self, record):
        return self[f"delta_{record.pk}"]

    def clean(self):
        data = super().clean()
        if not self.changes() and not self.errors:
            raise ValidationError(
                _("Enter a change (e.g. 5 or -2) for at least one stock record."), code="no_change"
            )
        return data

    def changes(self) -> list[tuple[StockRecord, int]]:
        data = getattr(self, "cleaned_data", {})
        return [(r, data[f"delta_{r.pk}"]) for r in self.records if data.get(f"delta_{r.pk}")]


class ReceiveForm(ActionForm):
    """The counted quantity of every line of every selected shipment."""

    def __init__(self, *args, shipments: list[InboundShipment], **kwargs):
        super().__init__(*args, **kwargs)
        self.shipments = shipments
        for shipment in shipments:
            for line in shipment.lines.all():
                self.fields[f"count_{line.pk}"] = forms.IntegerField(
                    label=gettext_lazy("Units counted"),
                    min_value=0,
                    max_value=10_000_000,
                    initial=line.units_to_put_away,
                    widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
                )

    def row_field(self, line):
        return self[f"count_{line.pk}"]

    def counts(self, shipment: InboundShipment) -> dict[int, int]:
        return {line.pk: self.cleaned_data[f"count_{line.pk}"] for line in shipment.lines.all()}


class ShipForm(ActionForm):
    """A tracking number per order (blank: the carrier books the parcel and gives one), and the carrier
    that takes them all, from the carrier gateway's list. The service checks the number's format."""

    # Not posted (an old form, a script): the gateway's first carrier, as the service decides.
    carrier = forms.ChoiceField(label=gettext_lazy("Carrier"), required=False)
    shared_fields = ("carrier",)

    def __init__(self, *args, orders: list[Order], **kwargs):
        super().__init__(*args, **kwargs)
        self.orders = orders
        self.fields["carrier"].choices = get_carrier().carrier_choices()
        for order in orders:
            self.fields[f"tracking_{order.pk}"] = forms.CharField(
                label=gettext_lazy("Tracking number"),
                max_length=40,
                required=False,
                initial=order.tracking_number,
                help_text=gettext_lazy("Blank: the carrier books the parcel and gives the number."),
                widget=forms.TextInput(attrs={"autocomplete": "off", "class": "vTextField"}),
            )

    def clean(self):
        cleaned = super().clean()
        for order in self.orders:
            name = f"tracking_{order.pk}"
            if cleaned.get(name):
                try:
                    cleaned[name] = tracking_number_clean(cleaned[name])
                except DomainError as exc:
                    self.add_error(name, exc.message)
        return cleaned

    def row_field(self, order):
        return self[f"tracking_{order.pk}"]

    def tracking_number(self, order) -> str:
        return self.cleaned_data[f"tracking_{order.pk}"]


class ReasonForm(ActionForm):
    """One required reason for the whole batch (refunds, cancellations): it goes on each order's timeline."""

    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=150)
    shared_fields = ("reason",)

    def __init__(self, *args, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if help_text:
            self.fields["reason"].help_text = help_text
