"""Demo data for a fresh site. Idempotent: every row is looked up by a natural key before it is made.

Later apps add their own demo data through ``SEED_STEPS``: each app's ``seed.py`` exposes ``seed(stdout)``.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import address_create, identity_add

DEMO_PASSWORD = "hongshu-demo-2026"  # noqa: S105 - printed for people trying the demo
OPERATOR = ("operator", "运营小红", "Runs the mall, stock and moderation.")
WRITERS = [
    ("lily", "Lily爱护肤", "敏感肌 · 学生党 · 只写自己用过的"),
    ("chen_travels", "陈陈去旅行", "Duty-free hauls and bonded-warehouse finds."),
    ("momo_baby", "Momo妈妈", "新手妈妈的母婴好物清单"),
    ("snackking", "零食大王", "Snacks from 12 countries, honestly rated."),
]
SHOPPERS = [
    ("shopper", "爱逛街的小王", "Just here for the reviews."),
    ("xiaomei", "小美", "种草 → 拔草"),
]
# Valid GB 11643 numbers for demo identities (check digits computed, birth dates real).
DEMO_IDS = {"shopper": ("王小明", "11010519491231002X"), "xiaomei": ("李美美", "440524188001010014")}
SEED_MODULES = ["community.seed", "mall.seed", "community.seed_commerce", "flashsale.seed"]


class Command(BaseCommand):
    help = "Create demo users and whatever demo content the installed apps provide (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            operator = self._user(*OPERATOR, staff=True)
            for row in WRITERS + SHOPPERS:
                self._user(*row)
        for username, (name, number) in DEMO_IDS.items():
            user = User.objects.get(username=username)
            if not user.customs_identities.exists():
                identity_add(user=user, real_name=name, id_number=number)
            if not user.addresses.exists():
                address_create(
                    user=user,
                    data={
                        "recipient": name,
                        "phone": "13800138000",
                        "province": "上海市",
                        "city": "上海市",
                        "district": "黄浦区",
                        "detail": "南京东路 100 号 8 楼",
                        "postal_code": "200001",
                    },
                )
        for module_name in SEED_MODULES:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name and not module_name.startswith(str(exc.name)):
                    raise
                continue
            module.seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Operator: {operator.username}"))

    def _user(self, username: str, nickname: str, bio: str, *, staff: bool = False) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"nickname": nickname, "bio": bio, "is_staff": staff, "is_superuser": staff},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user
