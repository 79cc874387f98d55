"""Catalog text in every language of the site (django-modeltranslation): each field named here gets one
column per language (``name_en``, ``name_zh_hans``), operators edit both in admin, and reading ``name``
gives the reader's language, falling back to the other (settings.MODELTRANSLATION_FALLBACK_LANGUAGES).
The product search index (mall.services.search) holds every language at once."""

from modeltranslation.translator import TranslationOptions, register

from mall.models import Brand, Category, Product, Sku


@register(Brand)
class BrandTranslation(TranslationOptions):
    fields = ("name", "country", "description")


@register(Category)
class CategoryTranslation(TranslationOptions):
    fields = ("name",)


@register(Product)
class ProductTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Sku)
class SkuTranslation(TranslationOptions):
    fields = ("name",)
