"""Forms of the flash-sale app: the operator's sale form (admin) and the buyer's no-script buy form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashsale.models import FlashSale
from flashsale.services.admission import REQUEST_ID
from mall.models import Sku
from mall.templatetags.mall import yuan


class SkuCodeField(forms.ModelChoiceField):
    """An SKU typed by its code (what operators read on labels and shipments), not a database id."""

    widget = forms.TextInput
    default_error_messages = {"invalid_choice": gettext_lazy("No SKU has this code.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("SKU code"))
        kwargs.setdefault("help_text", gettext_lazy("The code on the SKU's label, e.g. SL-ESS-150."))
        super().__init__(queryset=Sku.objects.select_related("product"), to_field_name="code", **kwargs)

    def to_python(self, value):
        return super().to_python(value.strip() if isinstance(value, str) else value)

    def prepare_value(self, value):
        # A saved sale's form starts from the SKU's id: show its code instead.
        if isinstance(value, int):
            return Sku.objects.filter(pk=value).values_list("code", flat=True).first() or ""
        return super().prepare_value(value)


class FlashSaleForm(forms.ModelForm):
    """What an operator fills to create a sale. Publishing (the quota leaving warehouse stock) is a
    separate step, so a sale can be prepared and checked before it touches stock."""

    class Meta:
        model = FlashSale
        fields = [
            "title",
            "sku",
            "warehouse",
            "price",
            "quota",
            "per_user_limit",
            "starts_at",
            "ends_at",
            "is_cross_border",
        ]
        help_texts = {
            "price": gettext_lazy("Must be below the SKU's regular price."),
            "quota": gettext_lazy(
                "Units moved out of the warehouse's free stock when the sale is published."
            ),
            "is_cross_border": gettext_lazy("Buyers need a verified customs identity."),
        }

    def clean_quota(self):
        quota = self.cleaned_data["quota"]
        if quota is not None and quota <= 0:
            raise forms.ValidationError(_("The quota must be at least 1 unit."))
        return quota

    def clean_per_user_limit(self):
        limit = self.cleaned_data["per_user_limit"]
        if limit is not None and limit <= 0:
            raise forms.ValidationError(_("Each buyer must be allowed at least 1 unit."))
        return limit

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price <= 0:
            raise forms.ValidationError(_("The sale price must be above zero."))
        return price

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The sale must end after it starts."))
        elif ends_at and ends_at <= timezone.now() and "ends_at" in self.changed_data:
            self.add_error("ends_at", _("This end time has already passed."))
        sku, price = data.get("sku"), data.get("price")
        if sku is not None and price is not None and price >= sku.price:
            self.add_error(
                "price",
                _("A flash price must be below the regular price of %(sku)s (%(regular)s).")
                % {"sku": sku, "regular": yuan(sku.price)},
            )
        return data


class BuyForm(forms.Form):
    """The buy button without JavaScript: the page renders a request id, so submitting twice (a double
    click, the back button) asks once."""

    request_id = forms.RegexField(regex=REQUEST_ID.pattern, widget=forms.HiddenInput)
