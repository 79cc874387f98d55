"""The demo where the community meets the mall (runs after the community and mall steps): purchase links
in demo notes, orders delivered to some writers so their notes show "bought here", one declared brand
partnership, orders attributed to notes, card clicks and daily views so the writers' statistics have
something to say.

Everything goes through the real services (checkout, the sandbox gateway's signed webhook, customs,
shipping, delivery), so the stock ledger and the order timelines stay true. Safe to run again: each
piece is looked up before it is made. Only the demo's people act and only the demo's notes get clicks
and statistics: a database that already holds other notes keeps their rows as they were.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.idnumbers import id_check_digit
from accounts.models import Address, CustomsIdentity, User
from accounts.services import address_create, identity_add
from community.models import Note, NoteDailyViews, NoteProduct, Partnership, ProductCardClick
from community.selectors.purchases import RECEIVED_STATES
from community.services.buzz import product_buzz_recompute
from demo.seed import people
from demo.seed.community import demo_notes
from mall.models import Brand, Cart, CartLine, Order, OrderLine, Product, Sku
from mall.payments.sandbox import SIGNATURE_HEADER, sandbox_event, sandbox_signature
from mall.services import checkout
from mall.services.customs import order_declare
from mall.services.orders import order_confirm_delivery, order_ship
from mall.services.payments import payment_create, payment_webhook_receive

# (writer, note title) -> the products the note links to.
LINKS = [
    ("lily", "敏感肌救星面霜", ["sakura-night-cream"]),
    ("lily", "学生党平价防晒", ["hanami-uv-milk"]),
    ("lily", "免税店买的口红", ["hanami-lip-tint"]),
    ("amy_glow", "Non-greasy sunscreen", ["hanami-uv-milk"]),
    ("kiki_skin", "成分党看这支精华", ["seoul-dew-snail-serum"]),
    ("kiki_skin", "敏感肌卸妆怎么选", ["sakura-cleansing-oil", "provence-hand-cream"]),
    ("tangtang", "宿舍党一周妆容", ["k-glow-eye-palette", "k-glow-cushion"]),
    ("xiaomei", "第一次买到正品面膜", ["seoul-dew-sheet-masks"]),
    ("snackking", "日本便利店零食TOP5", ["tokyo-matcha-kitkat", "tokyo-strawberry-mochi"]),
    ("leo_eats", "Matcha everything", ["tokyo-matcha-kitkat"]),
    ("snackking", "澳洲饼干回购三年", ["outback-tim-tams"]),
    ("momo_baby", "保税仓奶粉怎么买", ["kanga-formula-stage1", "kanga-formula-stage2"]),
    ("nana_mom", "宝宝湿疹护理", ["kanga-baby-lotion"]),
    ("travel_ken", "Carry-on to Japan", ["yankee-daypack"]),
    ("wanwan", "海岛游防晒装备", ["hanami-uv-milk"]),
]
# Writers who really bought what they wrote about: delivered orders, so their notes show "bought here".
PURCHASES = [
    ("lily", "sakura-night-cream"),
    ("xiaomei", "seoul-dew-sheet-masks"),
    ("snackking", "outback-tim-tams"),
    ("momo_baby", "kanga-formula-stage1"),
]
# Readers who bought through a note's card: (buyer, writer, note title, product).
ATTRIBUTED = [
    ("shopper", "lily", "学生党平价防晒", "hanami-uv-milk"),
    ("xiaomei", "snackking", "日本便利店零食TOP5", "tokyo-matcha-kitkat"),
    ("shopper", "momo_baby", "保税仓奶粉怎么买", "kanga-formula-stage2"),
]
# One declared partnership: the brand paid this writer for this note, and the note says so.
PARTNERSHIP = ("wanwan", "hanami", "Hanami 海岛防晒季", "海岛游防晒装备")
# Demo real-name identities for the writers who buy (valid GB 11643 check digits, real birth dates).
WRITER_IDS = {
    "lily": ("林丽丽", "31010119980315062"),
    "snackking": ("赵大王", "44030519900701531"),
    "momo_baby": ("莫小莫", "11010819930812242"),
}


# A demo note's statistics go back at most this many days, and are written this many rows at a time.
DAILY_VIEWS_DAYS = 90
DAILY_VIEWS_BATCH = 1000


def seed(stdout) -> None:
    started = time.monotonic()
    users = people.members()
    products = {p.slug: p for p in Product.objects.filter(slug__in=_slugs()).select_related("brand")}
    if not products:
        stdout.write("Community x mall: no demo products yet; run the mall's step first.")
        return
    notes = demo_notes()
    links = _links(notes, products)
    partnership = _partnership(users, notes)
    bought = sum(
        _purchase(users[u], products[slug]) for u, slug in PURCHASES if u in users and slug in products
    )
    attributed = 0
    for buyer, writer, title, slug in ATTRIBUTED:
        note = notes.get((writer, title))
        if buyer in users and note is not None and slug in products:
            attributed += _purchase(users[buyer], products[slug], referral=f"note:{note.pk}")
    _clicks(notes, users)
    days = daily_views_write(note_ids=[note.pk for note in notes.values()])
    product_buzz_recompute()
    stdout.write(
        f"Community x mall: {links} purchase links, {bought} delivered purchases by writers, "
        f"{attributed} orders from note cards, partnership {'ready' if partnership else 'skipped'}, "
        f"{days} daily-views rows, in {time.monotonic() - started:.1f}s"
    )


def _slugs() -> set[str]:
    slugs = {slug for _w, _t, group in LINKS for slug in group}
    return slugs | {slug for _u, slug in PURCHASES} | {row[3] for row in ATTRIBUTED}


def _links(notes, products) -> int:
    made = 0
    with transaction.atomic():
        for writer, title, slugs in LINKS:
            note = notes.get((writer, title))
            if note is None:
                continue
            for position, slug in enumerate(slugs):
                if slug in products:
                    _link, created = NoteProduct.objects.get_or_create(
                        note=note, product=products[slug], defaults={"position": position}
                    )
                    made += created
    return made


def _partnership(users, notes) -> Partnership | None:
    writer_name, brand_slug, title, note_title = PARTNERSHIP
    writer, brand = users.get(writer_name), Brand.objects.filter(slug=brand_slug).first()
    if writer is None or brand is None:
        return None
    today = timezone.localdate()
    partnership, _created = Partnership.objects.get_or_create(
        brand=brand,
        writer=writer,
        title=title,
        defaults={"starts_on": today - timedelta(days=20), "ends_on": today + timedelta(days=70)},
    )
    note = notes.get((writer_name, note_title))
    if note is not None and note.partnership_id is None:
        Note.objects.filter(pk=note.pk).update(partnership=partnership)
    return partnership


def _identity(user: User) -> tuple[Address, CustomsIdentity | None]:
    identity = user.customs_identities.order_by("-is_default", "id").first()
    if identity is None and user.username in WRITER_IDS:
        name, first17 = WRITER_IDS[user.username]
        identity = identity_add(user=user, real_name=name, id_number=first17 + id_check_digit(first17))
    address = user.addresses.order_by("-is_default", "id").first()
    if address is None:
        address = address_create(
            user=user,
            data={
                "recipient": user.display_name[:20],
                "phone": "13900139000",
                "province": "上海市",
                "city": "上海市",
                "district": "徐汇区",
                "detail": "漕溪北路 88 号",
                "postal_code": "200030",
            },
        )
    return address, identity


def _purchase(user: User, product: Product, *, referral: str = "") -> int:
    """Buy one unit of the product's cheapest SKU and walk the order to delivered, unless done before."""
    lines = OrderLine.objects.filter(order__user=user, sku__product=product, order__state__in=RECEIVED_STATES)
    if lines.filter(referral=referral).exists():
        return 0
    sku = Sku.objects.filter(product=product, is_active=True).order_by("price", "id").first()
    address, identity = _identity(user)
    if sku is None or (product.is_cross_border and identity is None):
        return 0
    cart, _created = Cart.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(24)})
    # Only this line goes to checkout; whatever the demo user had in the cart stays there, unselected.
    CartLine.objects.filter(cart=cart).update(selected=False)
    CartLine.objects.update_or_create(
        cart=cart, sku=sku, defaults={"quantity": 1, "referral": referral, "selected": True}
    )
    summary = checkout.checkout_reserve(user=user, cart=cart, identity=identity)
    if summary.problems:
        return 0
    order, _replayed = checkout.order_place(
        user=user,
        cart=cart,
        token=summary.token,
        address=address,
        identity=identity if product.is_cross_border else None,
        idempotency_key=f"seed-{product.slug}-{referral or 'own'}",
    )
    if order.state == Order.State.PENDING_PAYMENT:
        _pay(order, user=user, identity=identity)
    if order.is_cross_border:
        order_declare(order_id=order.pk)
    order.refresh_from_db()
    if order.state in (Order.State.CLEARED, Order.State.PAID):
        order_ship(order=order, tracking_number=f"SF{order.pk:010d}")
    order.refresh_from_db()
    if order.state == Order.State.SHIPPED:
        order_confirm_delivery(order=order, actor=user)
    return 1


def _pay(order: Order, *, user: User, identity: CustomsIdentity | None) -> None:
    """What the sandbox gateway does when the payer clicks Pay: a signed webhook, delivered in process."""
    payment = payment_create(order=order, user=user)
    event = sandbox_event(
        payment=payment,
        outcome="pay",
        payer_name=identity.real_name if identity else order.buyer_name,
        payer_id_number=identity.id_number if identity else "",
    )
    raw = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sandbox_signature(raw, timestamp=int(time.time())),
    }
    payment_webhook_receive(body=raw, headers=headers)


def _clicks(notes, users) -> None:
    """Some demo readers' taps on the demo notes' product cards over the last days (only the first time)."""
    if ProductCardClick.objects.filter(note__in=list(notes.values())).exists():
        return
    rng = random.Random(20261127)
    readers = [users[name] for name in sorted(users)]
    now = timezone.now()
    rows = []
    for _key, note in sorted(notes.items()):
        for link in NoteProduct.objects.filter(note=note).order_by("position", "id"):
            for _ in range(rng.randint(2, 14)):
                rows.append(
                    ProductCardClick(
                        note=note,
                        product_id=link.product_id,
                        user=rng.choice(readers),
                        action=rng.choice(ProductCardClick.Action.values),
                    )
                )
    made = ProductCardClick.objects.bulk_create(rows)
    for click in made:
        click.created_at = now - timedelta(hours=rng.uniform(1, 24 * 12))
    ProductCardClick.objects.bulk_update(made, ["created_at"])


def daily_views_write(*, note_ids: list[int]) -> int:
    """Spread each of these notes' views over the days since it was posted, where none are recorded yet.

    Only the notes asked for (the demo's own), at most ``DAILY_VIEWS_DAYS`` days each, written
    ``DAILY_VIEWS_BATCH`` rows at a time: the memory and the statement size stay bounded however big the
    database around the demo is. Returns the number of rows written.
    """
    recorded = set(
        NoteDailyViews.objects.filter(note_id__in=note_ids).values_list("note_id", flat=True).distinct()
    )
    today = timezone.localdate()
    rows: list[NoteDailyViews] = []
    written = 0
    for note in (
        Note.objects.filter(pk__in=note_ids)
        .exclude(pk__in=recorded)
        .only("pk", "view_count", "created_at")
        .order_by("pk")
    ):
        days = min(DAILY_VIEWS_DAYS, max(1, (today - timezone.localdate(note.created_at)).days + 1))
        rng = random.Random(note.pk)
        weights = [rng.uniform(0.5, 1.5) for _ in range(days)]
        total = sum(weights)
        for offset, weight in enumerate(weights):
            views = int(note.view_count * weight / total)
            if views:
                rows.append(NoteDailyViews(note=note, day=today - timedelta(days=offset), views=views))
        if len(rows) >= DAILY_VIEWS_BATCH:
            written += len(NoteDailyViews.objects.bulk_create(rows, ignore_conflicts=True))
            rows = []
    if rows:
        written += len(NoteDailyViews.objects.bulk_create(rows, ignore_conflicts=True))
    return written
