"""Forms of the shopper's pages. They only parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mall.carriers import get_carrier
from mall.services.cart import MAX_QUANTITY


class AddToCartForm(forms.Form):
    sku = forms.IntegerField(min_value=1, error_messages={"required": _("Choose a variant.")})
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, initial=1, required=False)
    ref = forms.CharField(max_length=40, required=False)
    buy_now = forms.BooleanField(required=False)
    next = forms.CharField(max_length=300, required=False)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1


class CartLineForm(forms.Form):
    """A stepper press ("inc"/"dec"), a typed quantity, or the line's checkbox."""

    action = forms.ChoiceField(
        choices=[("inc", "+"), ("dec", "-"), ("set", "="), ("select", "select")], required=False
    )
    quantity = forms.IntegerField(min_value=1, max_value=MAX_QUANTITY, required=False)
    selected = forms.BooleanField(required=False)


class CheckoutForm(forms.Form):
    address = forms.TypedChoiceField(
        label=_("Ship to"), coerce=int, error_messages={"required": _("Choose where to ship the order.")}
    )
    identity = forms.TypedChoiceField(label=_("Purchaser for customs"), coerce=int, required=False)
    idempotency_key = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, addresses=(), identities=(), needs_identity: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].choices = [(a.pk, str(a)) for a in addresses]
        self.fields["identity"].choices = [(i.pk, str(i)) for i in identities]
        self.fields["identity"].required = needs_identity
        self.fields["identity"].error_messages["required"] = _(
            "Cross-border goods need the purchaser's real name and ID number for customs."
        )


RETURN_REASONS = [
    ("damaged", _("Arrived damaged")),
    ("wrong", _("Wrong item or variant")),
    ("not_as_described", _("Not as described")),
    ("changed_mind", _("Changed my mind")),
    ("other", _("Something else")),
]


class ReturnForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why are you returning it?"), choices=RETURN_REASONS)
    detail = forms.CharField(
        label=_("Tell us more"),
        max_length=150,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 150}),
    )

    def reason_text(self) -> str:
        label = dict(RETURN_REASONS)[self.cleaned_data["reason"]]
        detail = (self.cleaned_data.get("detail") or "").strip()
        return f"{label}: {detail}" if detail else str(label)


class ReturnParcelForm(forms.Form):
    """The carrier and tracking number of an approved return's parcel (the service checks the format)."""

    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 30, "class": "mono"}),
        help_text=_("As printed on the carrier's receipt: 6 to 30 letters and digits."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = get_carrier().carrier_choices()


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=120, required=False)
