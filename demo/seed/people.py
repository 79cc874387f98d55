"""The demo's people: an operator, writers and shoppers, all with one printed password; the two shoppers
have a real-name customs identity and an address so they can buy at once.

Idempotent: a person is known by username and made only when missing; an identity or address is added
only to a demo shopper who has none.
"""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import User
from accounts.services import address_create, identity_add

DEMO_PASSWORD = "hongshu-demo-2026"  # noqa: S105 - printed for people trying the demo
OPERATOR = ("operator", "运营小红", "Runs the mall, stock and moderation.")
# The site's first writers: everybody follows them.
WRITERS = [
    ("lily", "Lily爱护肤", "敏感肌 · 学生党 · 只写自己用过的"),
    ("chen_travels", "陈陈去旅行", "Duty-free hauls and bonded-warehouse finds."),
    ("momo_baby", "Momo妈妈", "新手妈妈的母婴好物清单"),
    ("snackking", "零食大王", "Snacks from 12 countries, honestly rated."),
]
MORE_WRITERS = [
    ("amy_glow", "Amy的护肤日记", "Dry skin, big opinions. Patch test everything."),
    ("xiaoyu", "小鱼爱吃", "吃货一枚 · 只推荐回购过的零食"),
    ("travel_ken", "Ken on the road", "37 countries, one carry-on."),
    ("nana_mom", "娜娜妈", "二胎妈妈 · 母婴用品踩坑与种草"),
    ("bagsbybella", "Bella's bags", "Bags I actually carry, not just collect."),
    ("tangtang", "糖糖不吃糖", "学生党 · 平价彩妆 · 宿舍好物"),
    ("leo_eats", "Leo Eats", "Snack reviews from a very honest tongue."),
    ("wanwan", "晚晚的旅行箱", "免税店攻略 · 海岛控"),
    ("kiki_skin", "Kiki成分党", "看成分不看广告 · 敏感肌"),
    ("mia_deals", "Mia薅羊毛", "Deals, hauls and the occasional regret."),
]
SHOPPERS = [
    ("shopper", "爱逛街的小王", "Just here for the reviews."),
    ("xiaomei", "小美", "种草 → 拔草"),
]
# Valid GB 11643 numbers for demo identities (check digits computed, birth dates real).
DEMO_IDS = {"shopper": ("王小明", "11010519491231002X"), "xiaomei": ("李美美", "440524188001010014")}
DEMO_ADDRESS = {
    "phone": "13800138000",
    "province": "上海市",
    "city": "上海市",
    "district": "黄浦区",
    "detail": "南京东路 100 号 8 楼",
    "postal_code": "200001",
}


def member_usernames() -> list[str]:
    """Every demo person but the operator: the writers, readers and buyers of the demo."""
    return [username for username, _n, _b in WRITERS + MORE_WRITERS + SHOPPERS]


def members() -> dict[str, User]:
    """The demo's members that exist, by username (never anybody else on the site)."""
    return {u.username: u for u in User.objects.filter(username__in=member_usernames())}


def logins() -> str:
    """The lines that tell a person how to log in to the demo."""
    return (
        f"  Demo logins (password {DEMO_PASSWORD}):\n"
        f"    operator (admin): {OPERATOR[0]}\n"
        f"    writers: {', '.join(w[0] for w in WRITERS)} (and {len(MORE_WRITERS)} more)\n"
        f"    shoppers: {', '.join(s[0] for s in SHOPPERS)}\n"
    )


def seed(stdout) -> None:
    rows = [(*OPERATOR, True)] + [(*row, False) for row in WRITERS + MORE_WRITERS + SHOPPERS]
    with transaction.atomic():
        existing = set(
            User.objects.filter(username__in=[r[0] for r in rows]).values_list("username", flat=True)
        )
        # One (deliberately slow) Argon2 hash shared by every new demo person: they all use the printed password.
        password = make_password(DEMO_PASSWORD) if len(existing) < len(rows) else ""
        made = 0
        for username, nickname, bio, staff in rows:
            if username in existing:
                continue
            User.objects.create(
                username=username,
                nickname=nickname,
                bio=bio,
                password=password,
                is_staff=staff,
                is_superuser=staff,
            )
            made += 1
    for user in User.objects.filter(username__in=list(DEMO_IDS)):
        name, number = DEMO_IDS[user.username]
        if not user.customs_identities.exists():
            identity_add(user=user, real_name=name, id_number=number)
        if not user.addresses.exists():
            # Parcels go to the nickname: the real name is kept encrypted on the identity only, so a dump of
            # the demo database shows none (accounts/tests/test_personal_data_at_rest.py).
            address_create(user=user, data={"recipient": user.display_name[:20], **DEMO_ADDRESS})
    stdout.write(f"People: {made} new demo people ({len(rows)} in the demo).")
