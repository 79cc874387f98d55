"""Product search quality: a catalog in both languages and a table of what shoppers type, with the
product that must come first. The mall's search, the composer's product picker, the main search's
products tab and the API use one function (mall.selectors.search.product_search), and this table runs
through each of them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from community.selectors.links import catalog_search
from community.selectors.search.products import products_search
from mall.models import Brand, Category, Product
from mall.selectors.catalog import ListingQuery, product_list
from mall.selectors.search import product_tsquery, query_correction
from mall.tests.factories import BrandFactory, CategoryFactory, ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db

# slug: (brand en, brand zh, country en, country zh)
BRANDS = {
    "anessa": ("Anessa", "安热沙", "Japan", "日本"),
    "shiseido": ("Shiseido", "资生堂", "Japan", "日本"),
    "lancome": ("Lancôme", "兰蔻", "France", "法国"),
    "lrp": ("La Roche-Posay", "理肤泉", "France", "法国"),
    "el": ("Estée Lauder", "雅诗兰黛", "United States", "美国"),
    "cerave": ("CeraVe", "适乐肤", "United States", "美国"),
    "sulwhasoo": ("Sulwhasoo", "雪花秀", "South Korea", "韩国"),
    "a2": ("a2 Milk", "a2", "New Zealand", "新西兰"),
    "aptamil": ("Aptamil", "爱他美", "Germany", "德国"),
    "comvita": ("Comvita", "康维他", "New Zealand", "新西兰"),
    "swisse": ("Swisse", "斯维诗", "Australia", "澳大利亚"),
    "merries": ("Merries", "妙而舒", "Japan", "日本"),
    "coach": ("Coach", "蔻驰", "United States", "美国"),
    "royce": ("Royce", "若翼族", "Japan", "日本"),
    "calbee": ("Calbee", "卡乐比", "Japan", "日本"),
}
# slug: (en, zh)
CATEGORIES = {
    "sun": ("Sun care", "防晒"),
    "cream": ("Face cream", "面霜"),
    "serum": ("Serums", "精华"),
    "lips": ("Lipstick", "口红"),
    "mask": ("Masks", "面膜"),
    "eye": ("Eye care", "眼部护理"),
    "cleanse": ("Cleansers", "洁面"),
    "formula": ("Formula", "奶粉"),
    "health": ("Health", "保健"),
    "baby": ("Baby care", "婴儿护理"),
    "bags": ("Bags", "箱包"),
    "snacks": ("Snacks", "零食"),
}
# slug: (brand, category, name en, name zh, description en, sales)
PRODUCTS = {
    "anessa-gold": ("anessa", "sun", "Anessa Perfect UV Sunscreen Milk SPF50+", "安热沙金瓶防晒乳", "Water resistant.", 5000),
    "shiseido-sun": ("shiseido", "sun", "Shiseido Ultimate Sun Protector Lotion", "资生堂蓝胖子防晒霜", "", 3000),
    "lrp-anthelios": ("lrp", "sun", "La Roche-Posay Anthelios UVMune 400 Fluid", "理肤泉大哥大清爽防晒", "", 2000),
    "lancome-absolue": ("lancome", "cream", "Lancôme Absolue Soft Cream", "兰蔻菁纯面霜", "", 1500),
    "el-anr": ("el", "serum", "Estée Lauder Advanced Night Repair Serum", "雅诗兰黛小棕瓶精华", "", 6000),
    "cerave-pm": ("cerave", "cream", "CeraVe PM Facial Moisturizing Lotion", "适乐肤PM乳", "", 2500),
    "cerave-cream": ("cerave", "cream", "CeraVe Moisturising Cream", "适乐肤C霜 保湿霜", "", 4000),
    "sulwhasoo-serum": ("sulwhasoo", "serum", "Sulwhasoo First Care Activating Serum", "雪花秀润燥精华", "", 1000),
    "lancome-genifique": ("lancome", "serum", "Lancôme Advanced Génifique Serum", "兰蔻小黑瓶精华", "", 3500),
    "shiseido-ultimune": ("shiseido", "serum", "Shiseido Ultimune Power Infusing Concentrate", "资生堂红腰子精华", "", 2800),
    "a2-stage1": ("a2", "formula", "a2 Platinum Premium Infant Formula Stage 1", "a2 白金版婴儿配方奶粉 1段", "", 7000),
    "aptamil-stage3": ("aptamil", "formula", "Aptamil Profutura Toddler Milk Drink Stage 3", "爱他美白金版幼儿奶粉 3段", "", 5000),
    "comvita-manuka": ("comvita", "health", "Comvita Manuka Honey UMF 10+", "康维他麦卢卡蜂蜜", "", 2200),
    "swisse-vitc": ("swisse", "health", "Swisse Vitamin C Effervescent", "斯维诗维生素C泡腾片", "", 1800),
    "swisse-fishoil": ("swisse", "health", "Swisse Odourless Wild Fish Oil", "斯维诗无腥味深海鱼油", "", 1600),
    "merries-diapers": ("merries", "baby", "Merries Tape Diapers Size M", "花王妙而舒纸尿裤 M码", "", 3000),
    "coach-tote": ("coach", "bags", "Coach Willow Tote Bag", "蔻驰托特包", "", 400),
    "coach-backpack": ("coach", "bags", "Coach Hudson Backpack", "蔻驰双肩包", "", 300),
    "royce-nama": ("royce", "snacks", "Royce Nama Chocolate Matcha", "若翼族生巧克力 抹茶味", "", 2600),
    "calbee-chips": ("calbee", "snacks", "Calbee Potato Chips Consommé", "卡乐比薯片 清汤味", "", 1900),
    "el-lipstick": ("el", "lips", "Estée Lauder Pure Color Lipstick", "雅诗兰黛花漾倾慕口红", "", 1200),
    "lancome-lipstick": ("lancome", "lips", "Lancôme L'Absolu Rouge Lipstick", "兰蔻菁纯口红", "", 900),
    "sulwhasoo-mask": ("sulwhasoo", "mask", "Sulwhasoo Overnight Vitalizing Mask", "雪花秀睡眠面膜", "", 700),
    "shiseido-eye": ("shiseido", "eye", "Shiseido Benefiance Wrinkle Smoothing Eye Cream", "资生堂盼丽风姿眼霜", "", 600),
    "lrp-cleanser": ("lrp", "cleanse", "La Roche-Posay Toleriane Hydrating Gentle Cleanser", "理肤泉特安洁面乳", "", 1400),
}  # fmt: skip
# Off sale: it must never be found, however well it matches.
OFF_SALE = (
    "anessa-off",
    ("anessa", "sun", "Anessa Sunscreen Best Seller Ever", "安热沙防晒 停售", "", 99999),
)

# (what a shopper types, the product that must come first)
QUALITY = [
    ("防晒", "anessa-gold"),
    ("防晒霜", "anessa-gold"),
    ("sunscreen", "anessa-gold"),
    ("Sunscreens", "anessa-gold"),
    ("sun cream", "anessa-gold"),
    ("面霜", "cerave-cream"),
    ("face cream", "cerave-cream"),
    ("奶粉", "a2-stage1"),
    ("formula", "a2-stage1"),
    ("milk powder", "a2-stage1"),
    ("精华", "el-anr"),
    ("serum", "el-anr"),
    ("小棕瓶", "el-anr"),
    ("小黑瓶", "lancome-genifique"),
    ("口红", "el-lipstick"),
    ("lipstick", "el-lipstick"),
    ("兰蔻", "lancome-genifique"),
    ("lancome", "lancome-genifique"),
    ("Lancôme", "lancome-genifique"),
    ("ＬＡＮＣＯＭＥ", "lancome-genifique"),
    ("兰蔻 口红", "lancome-lipstick"),
    ("lancome lipstick", "lancome-lipstick"),
    ("shisedo", "shiseido-sun"),
    ("lancme", "lancome-genifique"),
    ("estee lauder", "el-anr"),
    ("esteelauder", "el-anr"),
    ("la roche posay", "lrp-anthelios"),
    ("cerave", "cerave-cream"),
    ("适乐肤", "cerave-cream"),
    ("蜂蜜", "comvita-manuka"),
    ("manuka honey", "comvita-manuka"),
    ("维生素", "swisse-vitc"),
    ("vitamin c", "swisse-vitc"),
    ("鱼油", "swisse-fishoil"),
    ("纸尿裤", "merries-diapers"),
    ("尿不湿", "merries-diapers"),
    ("nappies", "merries-diapers"),
    ("双肩包", "coach-backpack"),
    ("backpack", "coach-backpack"),
    ("巧克力", "royce-nama"),
    ("抹茶", "royce-nama"),
    ("薯片", "calbee-chips"),
    ("面膜", "sulwhasoo-mask"),
    ("眼霜", "shiseido-eye"),
    ("洗面奶", "lrp-cleanser"),
    ("雅诗兰黛", "el-anr"),
    ("日本 防晒", "anessa-gold"),
]


@pytest.fixture
def catalog():
    brands = {
        key: BrandFactory(name_en=en, name_zh_hans=zh, slug=key, country_en=c_en, country_zh_hans=c_zh)
        for key, (en, zh, c_en, c_zh) in BRANDS.items()
    }
    categories = {
        key: CategoryFactory(name_en=en, name_zh_hans=zh, slug=key) for key, (en, zh) in CATEGORIES.items()
    }
    made = {}
    for slug, (brand, category, en, zh, description, sales) in [*PRODUCTS.items(), OFF_SALE]:
        product = ProductFactory(
            slug=slug,
            name_en=en,
            name_zh_hans=zh,
            description_en=description,
            brand=brands[brand],
            category=categories[category],
            sales_count=sales,
            is_active=slug != OFF_SALE[0],
            min_price=Decimal("100.00"),
        )
        SkuFactory(product=product, name_en="50 ml", price=Decimal("100.00"))
        made[slug] = product
    return made


def _first_failures(search) -> list[str]:
    failures = []
    for query, expected in QUALITY:
        found = search(query)
        if OFF_SALE[0] in found:
            failures.append(f"{query!r}: found the product that is off sale")
        if not found or found[0] != expected:
            failures.append(f"{query!r}: expected {expected} first, got {found[:3]}")
    return failures


def test_the_table_has_at_least_thirty_queries_of_each_kind():
    chinese = [q for q, _p in QUALITY if any("\u4e00" <= c <= "\u9fff" for c in q)]
    assert len(QUALITY) >= 30
    assert len(chinese) >= 10 and len(QUALITY) - len(chinese) >= 10


def test_mall_search_puts_the_expected_product_first(catalog):
    def mall(query):
        return [
            p.slug for p in product_list(query=ListingQuery(q=query, sort="relevance"), facets=False).products
        ]

    assert _first_failures(mall) == []


def test_the_product_picker_finds_the_same_first_product(catalog):
    def picker(query):
        return [item.product.slug for item in catalog_search(query=query)]

    assert _first_failures(picker) == []


def test_the_main_search_products_tab_finds_the_same_first_product(catalog):
    def tab(query):
        return [p.slug for p in products_search(query=query, page_size=20).items]

    assert _first_failures(tab) == []


def test_the_api_finds_the_same_first_product(catalog, client):
    def api(query):
        response = client.get(reverse("api-mall-products"), {"q": query})
        assert response.status_code == 200, response.content
        return [row["slug"] for row in response.json()["results"]]

    assert _first_failures(api) == []


def test_mall_search_and_picker_agree_on_every_result(catalog):
    for query, _expected in QUALITY:
        mall = [
            p.slug for p in product_list(query=ListingQuery(q=query, sort="relevance"), facets=False).products
        ]
        picker = [item.product.slug for item in catalog_search(query=query, limit=20)]
        assert picker == mall[: len(picker)], query


def test_relevance_then_sales_a_name_match_beats_a_better_seller_that_matches_only_in_its_description(
    catalog,
):
    catalog["calbee-chips"].description_en = "Great with a sunscreen-free picnic. Sunscreen"
    catalog["calbee-chips"].sales_count = 10**6
    catalog["calbee-chips"].save()
    found = [
        p.slug
        for p in product_list(query=ListingQuery(q="sunscreen", sort="relevance"), facets=False).products
    ]
    assert found.index("anessa-gold") < found.index("calbee-chips")
    assert found[-1] == "calbee-chips"


def test_a_page_shows_the_readers_language_with_a_fallback(catalog, client):
    product = catalog["anessa-gold"]
    with translation.override("zh-hans"):
        assert Product.objects.get(pk=product.pk).name == "安热沙金瓶防晒乳"
    with translation.override("en"):
        assert Product.objects.get(pk=product.pk).name == "Anessa Perfect UV Sunscreen Milk SPF50+"
    english_only = ProductFactory(name_en="Only In English", name_zh_hans=None)
    with translation.override("zh-hans"):
        assert Product.objects.get(pk=english_only.pk).name == "Only In English"
    page = client.get(reverse("mall:product", args=[product.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "安热沙金瓶防晒乳" in page.content.decode()
    assert "日本" in page.content.decode() or "安热沙" in page.content.decode()


def test_an_edit_in_either_language_is_searchable_at_once(catalog):
    product = catalog["coach-tote"]
    product.name_zh_hans = "蔻驰 水桶包"
    product.save()
    assert [i.product.slug for i in catalog_search(query="水桶包")] == ["coach-tote"]
    brand = Brand.objects.get(slug="coach")
    brand.name_zh_hans = "蔻驰官方"
    brand.save()
    assert {i.product.slug for i in catalog_search(query="蔻驰官方")} == {"coach-tote", "coach-backpack"}
    category = Category.objects.get(slug="snacks")
    category.name_zh_hans = "休闲零嘴"
    category.save()
    assert {i.product.slug for i in catalog_search(query="零嘴")} == {"royce-nama", "calbee-chips"}


def test_a_misspelt_brand_is_put_right_and_said_so(catalog, client):
    assert query_correction("shisedo") == "Shiseido"
    assert query_correction("sunscreen") == ""
    page = client.get(reverse("mall:products"), {"q": "lancme"})
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="search-corrected"' in body and "Lancôme" in body


@pytest.mark.parametrize(
    "query",
    ["", "   ", "&|!():*'", "\\", "'; DROP TABLE mall_product; --", "a" * 5000, "防" * 500, "😀😀", "\x00"],
)
def test_hostile_queries_find_nothing_or_something_never_an_error(catalog, client, query):
    product_tsquery(query)
    response = client.get(reverse("mall:products"), {"q": query})
    assert response.status_code in (200, 400)
    assert client.get(reverse("api-mall-products"), {"q": query}).status_code in (200, 400)
    assert Product.objects.count() == len(PRODUCTS) + 1


def test_mall_search_costs_a_fixed_number_of_queries(catalog, django_assert_num_queries):
    # categories, products, stock
    with django_assert_num_queries(3):
        product_list(query=ListingQuery(q="防晒", sort="relevance"), facets=False)
    # + brands of the search for the filter
    with django_assert_num_queries(4):
        product_list(query=ListingQuery(q="serum", sort="relevance"))
    # a misspelt brand: + the brand names, + the corrected search
    with django_assert_num_queries(5):
        product_list(query=ListingQuery(q="shisedo", sort="relevance"), facets=False)
    # the picker: products, variants
    with django_assert_num_queries(2):
        catalog_search(query="精华")


def test_search_pages_through_every_match_once(catalog):
    seen, cursor = [], None
    while True:
        listing = product_list(
            query=ListingQuery(q="a", sort="relevance"), cursor=cursor, size=3, facets=False
        )
        seen += [p.slug for p in listing.products]
        cursor = listing.page.next_cursor
        if not cursor:
            break
    assert len(seen) == len(set(seen))
    every = [
        p.slug
        for p in product_list(query=ListingQuery(q="a", sort="relevance"), size=60, facets=False).products
    ]
    assert seen == every
