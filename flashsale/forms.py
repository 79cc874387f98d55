"""Forms of the flash-sale app: the operator's sale form (admin) and the buyer's no-script buy form."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flashsale.models import FlashSale
from flashsale.services.admission import REQUEST_ID
from mall.templatetags.mall import yuan


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
