"""Forms of the community pages. They parse what the browser sends; the services decide (their
refusals are put next to the field they concern with ``core.forms.form_add_service_errors``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import BODY_MAX, IMAGES_MAX, PRODUCT_LINKS_MAX, TITLE_MAX, Note

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"
ORDER_TOKENS_MAX = IMAGES_MAX * 3


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name; each one is checked by the service, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": IMAGE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class ProductLinksField(forms.Field):
    """The tagged products as repeated ``products`` values, ``"<product id>"`` or ``"<product id>:<sku
    id>"``, in display order (the picker's variant selects; the no-JavaScript list). Empty values (the
    "don't tag" choice) are dropped and a product picked twice counts once; the service checks the rest."""

    widget = forms.MultipleHiddenInput

    def clean(self, value):
        value = super().clean(value)
        tokens = [str(v).strip() for v in (value or []) if str(v).strip()]
        if len(tokens) > PRODUCT_LINKS_MAX * 4 or any(len(t) > 40 for t in tokens):
            raise forms.ValidationError(_("The tagged products could not be read; please pick them again."))
        seen, kept = set(), []
        for token in tokens:
            product = token.partition(":")[0]
            if product not in seen:
                seen.add(product)
                kept.append(token)
        return kept


class NoteForm(forms.Form):
    """Writing or editing a note. Lengths are checked by ``note_create``/``note_update`` (one source of
    the rules and their messages); the ``maxlength`` attributes only help the writer."""

    title = forms.CharField(
        label=_("Title"),
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={"maxlength": TITLE_MAX, "autocomplete": "off", "placeholder": _("A catchy title")}
        ),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={
                "maxlength": BODY_MAX,
                "rows": 7,
                "data-counter": "1",  # the form shows its own counter (site.js adds none)
                "placeholder": _(
                    "Share what you bought and what you think. Add #topics and @mention friends."
                ),
            }
        ),
    )
    images = MultipleFileField(label=_("Photos"), required=False)
    image_order = forms.CharField(required=False, widget=forms.HiddenInput)
    location = forms.CharField(
        label=_("Location"),
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"maxlength": 60, "placeholder": _("Where was this?")}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it"),
        choices=Note.Visibility.choices,
        initial=Note.Visibility.PUBLIC,
        widget=forms.RadioSelect,
    )

    products = ProductLinksField(label=_("Products in this note"), required=False)
    partnership = forms.IntegerField(
        label=_("Brand partnership"),
        required=False,
        widget=forms.Select,
        help_text=_("Paid or gifted by a brand? Say so: the note is labelled “Sponsored” with the brand."),
    )

    def __init__(self, *args, note_images=(), partnerships=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks the chosen id (the writer's own, running today): the choices only help.
        self.fields["partnership"].widget.choices = [("", _("Not sponsored"))] + [
            (p.pk, f"{p.brand.name} · {p.title}") for p in partnerships
        ]
        self.note_images = list(note_images)
        if self.note_images:
            self.fields["remove"] = forms.TypedMultipleChoiceField(
                label=_("Remove"),
                required=False,
                coerce=int,
                choices=[(i.pk, str(i.pk)) for i in self.note_images],
                widget=forms.CheckboxSelectMultiple,
            )

    def clean_image_order(self) -> list[str]:
        raw = self.cleaned_data.get("image_order") or ""
        tokens = [t.strip() for t in raw.split(",") if t.strip()]
        if len(tokens) > ORDER_TOKENS_MAX or any(len(t) > 24 for t in tokens):
            raise forms.ValidationError(
                _("The photo order could not be read; please arrange the photos again.")
            )
        return tokens

    def new_image_indices(self) -> list[int] | None:
        """The writer's order of the uploads (``new:N`` tokens) for ``note_create``; None: file order.
        A token that is not ``new:N`` becomes an index that the service refuses."""
        tokens = self.cleaned_data["image_order"]
        if not tokens:
            return None
        return [int(t[4:]) if t.startswith("new:") and t[4:].isdigit() else -1 for t in tokens]

    def edit_layout(self) -> list[str]:
        """The order for ``note_update``: kept photo ids and ``new:N`` tokens, without the photos
        ticked for removal (the way to remove a photo without JavaScript)."""
        tokens = self.cleaned_data["image_order"] or [str(i.pk) for i in self.note_images]
        removed = {str(i) for i in self.cleaned_data.get("remove") or ()}
        return [t for t in tokens if t not in removed]
