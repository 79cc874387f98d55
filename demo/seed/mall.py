"""The demo mall: brands with their authorization records, a category tree with emoji icons, ~30 products
with 1-3 SKUs and product shots drawn by ``demo.drawing``, two tax categories, two bonded warehouses
(Ningbo, Guangzhou Nansha; supervision mode 1210) and inbound shipments walked through the real inbound
services, so every unit of stock comes from the ledger.

Idempotent: brands, categories, tax categories, warehouses and products are found by their natural keys
(slug, name, code) before anything is made; a product's images are drawn only while it has none; an
inbound shipment is known by its reference and is walked through only when it is new.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from demo.drawing import SHOT_SIZE, product_shot
from demo.seed import catalog_zh
from mall.models import (
    Brand,
    Category,
    InboundLine,
    InboundShipment,
    Product,
    ProductImage,
    Sku,
    TaxCategory,
    Warehouse,
)
from mall.services.catalog import product_refresh_min_price
from mall.services.inbound import inbound_advance, inbound_put_away, inbound_receive
from mall.services.search import products_search_index

OFFICIAL = Brand.Authorization.OFFICIAL
DISTRIBUTOR = Brand.Authorization.DISTRIBUTOR

# (slug, name, country, authorization, document)
BRANDS = [
    ("sakura-lab", "Sakura Lab", "Japan", OFFICIAL, "JP-OFF-2024-0137"),
    ("hanami", "Hanami Beauty", "Japan", DISTRIBUTOR, "JP-DIST-2023-2291"),
    ("tokyo-crunch", "Tokyo Crunch", "Japan", DISTRIBUTOR, "JP-DIST-2024-0412"),
    ("seoul-dew", "Seoul Dew", "South Korea", OFFICIAL, "KR-OFF-2024-0088"),
    ("k-glow", "K-Glow", "South Korea", DISTRIBUTOR, "KR-DIST-2023-1170"),
    ("maison-lumiere", "Maison Lumière", "France", OFFICIAL, "FR-OFF-2024-0301"),
    ("provence-pure", "Provence Pure", "France", DISTRIBUTOR, "FR-DIST-2024-0776"),
    ("kanga-kids", "Kanga Kids", "Australia", OFFICIAL, "AU-OFF-2024-0019"),
    ("outback-bites", "Outback Bites", "Australia", DISTRIBUTOR, "AU-DIST-2023-0655"),
    ("hudson-co", "Hudson & Co.", "United States", DISTRIBUTOR, "US-DIST-2024-0908"),
    ("yankee-trail", "Yankee Trail", "United States", OFFICIAL, "US-OFF-2024-0043"),
    ("golden-bee", "Golden Bee", "New Zealand", OFFICIAL, "NZ-OFF-2024-0012"),
]

# (slug, name, icon, parent slug)
CATEGORIES = [
    ("beauty", "Beauty", "💄", None),
    ("skincare", "Skincare", "🧴", "beauty"),
    ("makeup", "Makeup", "💋", "beauty"),
    ("sun-care", "Sun care", "☀️", "beauty"),
    ("snacks", "Snacks", "🍪", None),
    ("sweets", "Sweets", "🍫", "snacks"),
    ("savory", "Savory", "🥨", "snacks"),
    ("baby", "Baby", "🍼", None),
    ("baby-food", "Formula & food", "🥣", "baby"),
    ("baby-care", "Baby care", "🧸", "baby"),
    ("bags", "Bags", "👜", None),
    ("handbags", "Handbags", "👛", "bags"),
    ("backpacks", "Backpacks", "🎒", "bags"),
    ("health", "Health", "🍯", None),
]

TAXES = {
    "general": ("General goods", Decimal("0.13"), Decimal("0")),
    "cosmetics": ("Cosmetics", Decimal("0.13"), Decimal("0.15")),
}

WAREHOUSES = [
    ("NB-BONDED", "Ningbo bonded warehouse", "Ningbo Customs"),
    ("GZ-NANSHA", "Guangzhou Nansha bonded warehouse", "Nansha Customs"),
]


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    name: str
    brand: str
    category: str
    tax: str
    shape: str
    colour: tuple[int, int, int]
    skus: tuple[tuple[str, str, str, int], ...]  # (code, variant, price, units to receive)
    sales: int
    description: str


def _p(slug, name, brand, category, tax, shape, colour, skus, sales, description) -> DemoProduct:
    return DemoProduct(slug, name, brand, category, tax, shape, colour, tuple(skus), sales, description)


# fmt: off
PRODUCTS = [
    _p("sakura-essence-lotion", "Sakura Essence Lotion", "sakura-lab", "skincare", "cosmetics", "bottle", (246, 182, 196),
       [("SL-EL-150", "150 ml", "268.00", 120), ("SL-EL-300", "300 ml", "458.00", 40)], 1860,
       "A watery first-step essence with fermented rice and sakura leaf extract.\n清爽化妆水，换季敏感肌也能用。"),
    _p("sakura-night-cream", "Sakura Overnight Cream", "sakura-lab", "skincare", "cosmetics", "jar", (236, 196, 210),
       [("SL-NC-50", "50 g", "328.00", 60)], 940,
       "A rich overnight cream that seals in the essence. Fragrance free."),
    _p("sakura-cleansing-oil", "Sakura Cleansing Oil", "sakura-lab", "skincare", "cosmetics", "bottle", (250, 215, 170),
       [("SL-CO-200", "200 ml", "168.00", 80)], 2210,
       "Melts sunscreen and waterproof mascara, rinses clean without a film."),
    _p("hanami-uv-milk", "Hanami UV Protect Milk SPF50+", "hanami", "sun-care", "cosmetics", "tube", (255, 214, 120),
       [("HB-UV-60", "60 ml", "158.00", 150), ("HB-UV-90", "90 ml", "218.00", 3)], 3120,
       "Water-resistant daily sunscreen milk, SPF50+ PA++++. Shake before use."),
    _p("hanami-lip-tint", "Hanami Glass Lip Tint", "hanami", "makeup", "cosmetics", "tube", (232, 90, 110),
       [("HB-LT-01", "01 Rose", "98.00", 70), ("HB-LT-03", "03 Coral", "98.00", 45), ("HB-LT-05", "05 Berry", "98.00", 0)], 1540,
       "A glossy tint that stays. Three shades for every day."),
    _p("hanami-brow-pencil", "Hanami Slim Brow Pencil", "hanami", "makeup", "cosmetics", "tube", (150, 120, 100),
       [("HB-BP-GR", "Grey brown", "68.00", 90), ("HB-BP-DB", "Dark brown", "68.00", 90)], 870,
       "A 1.5 mm tip for hair-like strokes, with a spoolie on the other end."),
    _p("seoul-dew-toner-pads", "Seoul Dew Toner Pads", "seoul-dew", "skincare", "cosmetics", "jar", (170, 215, 235),
       [("SD-TP-70", "70 pads", "139.00", 100)], 2650,
       "Soft cotton pads soaked in a gentle exfoliating toner."),
    _p("seoul-dew-snail-serum", "Seoul Dew Snail Repair Serum", "seoul-dew", "skincare", "cosmetics", "bottle", (200, 230, 220),
       [("SD-SS-50", "50 ml", "189.00", 5)], 1320,
       "96% snail mucin for a calm, bouncy skin barrier."),
    _p("seoul-dew-sheet-masks", "Seoul Dew Hydrating Sheet Masks", "seoul-dew", "skincare", "cosmetics", "box", (185, 220, 245),
       [("SD-SM-10", "10 sheets", "99.00", 200), ("SD-SM-30", "30 sheets", "259.00", 60)], 4100,
       "Ten minutes of deep hydration. Hyaluronic acid, no alcohol."),
    _p("k-glow-cushion", "K-Glow Dewy Cushion Foundation", "k-glow", "makeup", "cosmetics", "jar", (240, 200, 180),
       [("KG-CF-21", "21 Light", "229.00", 40), ("KG-CF-23", "23 Natural", "229.00", 40)], 1980,
       "A dewy, buildable cushion with SPF 35. Comes with a refill."),
    _p("k-glow-eye-palette", "K-Glow Peach Eye Palette", "k-glow", "makeup", "cosmetics", "box", (250, 190, 160),
       [("KG-EP-01", "9 shades", "176.00", 0)], 760,
       "Nine peachy mattes and shimmers for soft daily looks."),
    _p("lumiere-rose-cream", "Maison Lumière Rose Cream", "maison-lumiere", "skincare", "cosmetics", "jar", (238, 176, 190),
       [("ML-RC-50", "50 ml", "520.00", 35)], 620,
       "A whipped rose cream from Grasse for dry and dull skin."),
    _p("lumiere-eau-de-parfum", "Maison Lumière Fleur Eau de Parfum", "maison-lumiere", "skincare", "cosmetics", "bottle", (214, 190, 240),
       [("ML-EP-30", "30 ml", "690.00", 25), ("ML-EP-50", "50 ml", "980.00", 15)], 410,
       "Iris, pear and white musk. A quiet, clean floral."),
    _p("provence-hand-cream", "Provence Pure Shea Hand Cream", "provence-pure", "skincare", "cosmetics", "tube", (245, 222, 170),
       [("PP-HC-30", "30 ml", "58.00", 300), ("PP-HC-150", "150 ml", "168.00", 80)], 5230,
       "20% shea butter for hands that wash a lot. Non-greasy."),
    _p("provence-lavender-soap", "Provence Pure Lavender Soap Bar", "provence-pure", "skincare", "cosmetics", "box", (196, 180, 235),
       [("PP-LS-100", "100 g", "45.00", 200)], 1200,
       "Cold-pressed olive oil soap with lavender from the Luberon."),
    _p("tokyo-matcha-kitkat", "Tokyo Crunch Matcha Wafers", "tokyo-crunch", "sweets", "general", "pouch", (150, 200, 140),
       [("TC-MW-12", "12 pieces", "39.00", 300), ("TC-MW-36", "36 pieces", "99.00", 120)], 6800,
       "Crisp wafers in Uji matcha chocolate. 宇治抹茶威化。"),
    _p("tokyo-rice-crackers", "Tokyo Crunch Soy Rice Crackers", "tokyo-crunch", "savory", "general", "pouch", (230, 180, 120),
       [("TC-RC-20", "20 packs", "49.00", 240)], 2900,
       "Baked, not fried. Glazed with Hokkaido soy sauce."),
    _p("tokyo-strawberry-mochi", "Tokyo Crunch Strawberry Mochi", "tokyo-crunch", "sweets", "general", "box", (248, 190, 200),
       [("TC-SM-8", "8 pieces", "59.00", 4)], 1750,
       "Soft mochi with a strawberry cream heart. Best chilled."),
    _p("outback-tim-tams", "Outback Bites Chocolate Biscuits", "outback-bites", "sweets", "general", "box", (150, 105, 80),
       [("OB-CB-200", "200 g", "35.00", 400)], 7400,
       "The classic double chocolate biscuit. Try the 'slam'."),
    _p("outback-macadamias", "Outback Bites Salted Macadamias", "outback-bites", "savory", "general", "pouch", (220, 190, 140),
       [("OB-MA-225", "225 g", "89.00", 150), ("OB-MA-450", "450 g", "159.00", 60)], 1300,
       "Queensland macadamias, dry roasted with sea salt."),
    _p("kanga-formula-stage1", "Kanga Kids A2 Infant Formula Stage 1", "kanga-kids", "baby-food", "general", "can", (250, 230, 170),
       [("KK-F1-900", "900 g", "248.00", 200), ("KK-F1-3X", "900 g × 3", "699.00", 50)], 3900,
       "A2 protein infant formula for 0-6 months. Made in Victoria."),
    _p("kanga-formula-stage2", "Kanga Kids A2 Follow-on Formula Stage 2", "kanga-kids", "baby-food", "general", "can", (200, 225, 250),
       [("KK-F2-900", "900 g", "238.00", 180)], 2800,
       "Follow-on formula for 6-12 months."),
    _p("kanga-baby-wipes", "Kanga Kids Water Wipes", "kanga-kids", "baby-care", "general", "pouch", (190, 230, 210),
       [("KK-WW-80", "80 wipes", "29.00", 500), ("KK-WW-12X", "80 wipes × 12", "299.00", 40)], 5200,
       "99.9% water, for newborn skin."),
    _p("kanga-baby-lotion", "Kanga Kids Calendula Baby Lotion", "kanga-kids", "baby-care", "general", "bottle", (255, 225, 150),
       [("KK-BL-250", "250 ml", "79.00", 160)], 980,
       "Light lotion with organic calendula. No fragrance."),
    _p("hudson-tote", "Hudson & Co. Leather Tote", "hudson-co", "handbags", "general", "bag", (160, 110, 80),
       [("HC-TT-TAN", "Tan", "1280.00", 12), ("HC-TT-BLK", "Black", "1280.00", 12)], 260,
       "Full-grain leather tote that fits a 14\" laptop."),
    _p("hudson-crossbody", "Hudson & Co. Mini Crossbody", "hudson-co", "handbags", "general", "bag", (210, 160, 170),
       [("HC-MC-RSE", "Rose", "860.00", 20), ("HC-MC-CRM", "Cream", "860.00", 2), ("HC-MC-NVY", "Navy", "860.00", 20)], 540,
       "Phone, cards, lipstick. An adjustable strap."),
    _p("yankee-daypack", "Yankee Trail City Daypack 20L", "yankee-trail", "backpacks", "general", "backpack", (90, 120, 160),
       [("YT-DP-NVY", "Navy", "599.00", 40), ("YT-DP-OLV", "Olive", "599.00", 30)], 830,
       "Padded laptop sleeve, water-repellent recycled nylon."),
    _p("yankee-kids-pack", "Yankee Trail Kids Backpack", "yankee-trail", "backpacks", "general", "backpack", (240, 170, 80),
       [("YT-KP-YLW", "Yellow", "329.00", 50)], 450,
       "Light and sturdy, with a chest strap and reflective bits."),
    _p("golden-bee-manuka", "Golden Bee Manuka Honey UMF 10+", "golden-bee", "health", "general", "jar", (240, 190, 90),
       [("GB-MH-250", "250 g", "268.00", 90), ("GB-MH-500", "500 g", "488.00", 30)], 1650,
       "Certified UMF 10+ manuka honey from the North Island."),
    _p("golden-bee-propolis", "Golden Bee Propolis Throat Spray", "golden-bee", "health", "general", "bottle", (235, 200, 120),
       [("GB-PS-30", "30 ml", "128.00", 0)], 690,
       "Propolis and manuka honey for dry throats."),
]
# fmt: on

# Two shipments per warehouse: (reference, warehouse code, supplier, country, products' slugs)
SHIPMENTS = [
    ("IB-DEMO-NB-01", "NB-BONDED", "Sakura Lab Export Co., Osaka", "Japan",
     ["sakura-essence-lotion", "sakura-night-cream", "sakura-cleansing-oil", "hanami-uv-milk", "hanami-lip-tint",
      "hanami-brow-pencil", "tokyo-matcha-kitkat", "tokyo-rice-crackers", "tokyo-strawberry-mochi"]),
    ("IB-DEMO-NB-02", "NB-BONDED", "Seoul Beauty Trading, Incheon", "South Korea",
     ["seoul-dew-toner-pads", "seoul-dew-snail-serum", "seoul-dew-sheet-masks", "k-glow-cushion", "k-glow-eye-palette"]),
    ("IB-DEMO-GZ-01", "GZ-NANSHA", "Southern Cross Export, Melbourne", "Australia",
     ["outback-tim-tams", "outback-macadamias", "kanga-formula-stage1", "kanga-formula-stage2", "kanga-baby-wipes",
      "kanga-baby-lotion", "golden-bee-manuka", "golden-bee-propolis"]),
    ("IB-DEMO-GZ-02", "GZ-NANSHA", "Atlantic Goods Ltd., Le Havre", "France",
     ["lumiere-rose-cream", "lumiere-eau-de-parfum", "provence-hand-cream", "provence-lavender-soap", "hudson-tote",
      "hudson-crossbody", "yankee-daypack", "yankee-kids-pack"]),
]  # fmt: skip


# --- the seed ------------------------------------------------------------------------------------------------


def _brands() -> dict[str, Brand]:
    brands = {}
    for slug, name, country, authorization, document in BRANDS:
        brand, _created = Brand.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "country": country,
                "authorization": authorization,
                "authorization_ref": document,
                "authorized_until": date(2027, 12, 31),
                "description": f"{name} ({country}).",
            },
        )
        brands[slug] = brand
    return brands


def _categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for position, (slug, name, icon, parent) in enumerate(CATEGORIES):
        category, _created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "icon": icon,
                "position": position,
                "parent": categories.get(parent) if parent else None,
            },
        )
        categories[slug] = category
    return categories


def _taxes() -> dict[str, TaxCategory]:
    taxes = {}
    for key, (name, vat, consumption) in TAXES.items():
        taxes[key], _created = TaxCategory.objects.get_or_create(
            name=name, defaults={"vat_rate": vat, "consumption_rate": consumption}
        )
    return taxes


def _warehouses() -> dict[str, Warehouse]:
    warehouses = {}
    for code, name, district in WAREHOUSES:
        warehouses[code], _created = Warehouse.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Warehouse.Kind.BONDED,
                "customs_district": district,
                "supervision_mode": "1210",
            },
        )
    return warehouses


def _products(brands, categories, taxes) -> tuple[dict[str, Product], int]:
    products, drawn = {}, 0
    for demo in PRODUCTS:
        with transaction.atomic():
            product, created = Product.objects.get_or_create(
                slug=demo.slug,
                defaults={
                    "name": demo.name,
                    "brand": brands[demo.brand],
                    "category": categories[demo.category],
                    "tax_category": taxes[demo.tax],
                    "description": demo.description,
                    "is_cross_border": True,
                },
            )
            if created:
                # Sales before this demo began: a starting figure for the "best selling" sort.
                Product.objects.filter(pk=product.pk).update(sales_count=demo.sales)
            for code, variant, price, _units in demo.skus:
                Sku.objects.get_or_create(
                    code=code,
                    defaults={
                        "product": product,
                        "name": variant,
                        "price": Decimal(price),
                        "barcode": str(4900000000000 + zlib.crc32(code.encode()) % 99999999),
                        "weight_grams": 120,
                    },
                )
            if not product.images.exists():
                word = brands[demo.brand].name.split(" ")[0].upper().rstrip(".")
                for variant in range(2 if demo.shape in ("bottle", "jar", "bag", "box") else 1):
                    data = product_shot(shape=demo.shape, colour=demo.colour, word=word, variant=variant)
                    image = ProductImage(product=product, width=SHOT_SIZE, height=SHOT_SIZE, position=variant)
                    image.image.save(f"{demo.slug}-{variant + 1}.jpg", ContentFile(data), save=True)
                    drawn += 1
        product_refresh_min_price(product_id=product.pk)
        products[demo.slug] = product
    return products, drawn


def _shipments(warehouses) -> int:
    """Each demo shipment travels created -> in transit -> arrived -> declared -> inspected, is counted,
    and is put away: the ledger's "received" rows are where the demo's stock comes from."""
    by_slug = {d.slug: d for d in PRODUCTS}
    walked = 0
    for reference, code, supplier, country, slugs in SHIPMENTS:
        if InboundShipment.objects.filter(reference=reference).exists():
            continue
        with transaction.atomic():
            shipment = InboundShipment.objects.create(
                reference=reference, supplier=supplier, origin_country=country, warehouse=warehouses[code]
            )
            for slug in slugs:
                for sku_code, _variant, _price, units in by_slug[slug].skus:
                    if units:
                        InboundLine.objects.create(
                            shipment=shipment, sku=Sku.objects.get(code=sku_code), quantity_expected=units
                        )
        while shipment.state != InboundShipment.State.INSPECTED:
            inbound_advance(shipment=shipment)
        inbound_receive(shipment=shipment, received={})
        inbound_put_away(shipment=shipment)
        walked += 1
    return walked


def _chinese() -> None:
    """The catalog's Chinese text (English was written as each row was made), then every product's
    search vector, which ``QuerySet.update`` does not refresh."""
    with transaction.atomic():
        for english, chinese in catalog_zh.COUNTRIES.items():
            Brand.objects.filter(country_en=english).update(country_zh_hans=chinese)
        for slug, name in catalog_zh.BRANDS.items():
            Brand.objects.filter(slug=slug).update(name_zh_hans=name)
        for slug, name in catalog_zh.CATEGORIES.items():
            Category.objects.filter(slug=slug).update(name_zh_hans=name)
        for slug, (name, description) in catalog_zh.PRODUCTS.items():
            Product.objects.filter(slug=slug).update(name_zh_hans=name, description_zh_hans=description)
        for english, chinese in catalog_zh.VARIANTS.items():
            Sku.objects.filter(name_en=english).update(name_zh_hans=chinese)
        products_search_index()


def seed(stdout) -> None:
    brands = _brands()
    categories = _categories()
    taxes = _taxes()
    warehouses = _warehouses()
    products, drawn = _products(brands, categories, taxes)
    _chinese()
    walked = _shipments(warehouses)
    stdout.write(
        f"Mall: {len(brands)} brands, {len(categories)} categories, {len(products)} products "
        f"({drawn} photos drawn), {len(warehouses)} bonded warehouses, {walked} inbound shipments put away."
    )
