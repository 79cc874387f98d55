"""The scene the access and CSRF sweeps (tests/sweep/) walk every route against: one owner's private
things, each carrying a secret marker, and the registries that say which object each route is swept with.

A route with a parameter must be in ``PRIVATE`` (swept with the owner's private object: every visitor is
refused) or in ``PUBLIC`` (public by design, with the reason beside it: visitors may be answered, but
never with a marker, and nothing of the owner's may change). A route in neither fails the sweep, so a new
route cannot arrive without someone deciding who may reach it.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import admin
from django.db.models import Q
from django.forms.models import model_to_dict

from accounts.models import Address, CustomsIdentity, User
from accounts.tests.factories import AddressFactory, CustomsIdentityFactory, UserFactory
from community.models import Board, Collect, Comment, Like, Note, Notification, Report
from community.tests.factories import (
    BoardFactory,
    CommentFactory,
    NoteFactory,
    NotificationFactory,
    indexed_note,
)
from core.health import beat_heartbeat_write
from flashsale import keys as flash_keys
from flashsale.models import FlashSale, Reminder
from flashsale.services import admission, sales
from flashsale.services.redis import client as flash_redis
from flashsale.tests.factories import FlashSaleFactory
from mall.models import Cart, CartLine, Order, OrderEvent, Payment, Product
from mall.tests.factories import SkuFactory, cart_with, shop_product, stock_give
from tests.support.orders import payment_for, place_order

#: Put in every private text of the owner's; no page or answer to anyone else may contain it.
MARK = "Zq7xSW"  # short: titles hold 20 characters
#: A word in the owner's private notes and in their public one: a search for it finds only the public one.
SEARCH_WORD = "quokkaberry"
#: A topic of the owner's private notes and of their public one: its pages list only the public one.
TOPIC = "sweeptopic"


@dataclass
class World:
    owner: User
    address: Address
    identity: CustomsIdentity
    draft: Note
    private_note: Note
    public_note: Note
    board: Board
    public_board: Board
    public_comment: Comment
    collected: Note
    comment: Comment
    notification: Notification
    order: Order
    payment: Payment
    cart_line: CartLine
    product: Product
    sale: FlashSale
    request_id: str
    extra: dict = field(default_factory=dict)


def build_world() -> World:
    owner = UserFactory(nickname="Owner")
    address = AddressFactory(
        user=owner, is_default=True, recipient=f"{MARK}-address", detail=f"{MARK} road 1"
    )
    identity = CustomsIdentityFactory(user=owner, is_default=True, real_name=f"{MARK}-identity")
    secret = {"body": f"{MARK} {SEARCH_WORD}", "topics": (TOPIC,)}
    draft = indexed_note(author=owner, status=Note.Status.DRAFT, title=f"{MARK}-draft", **secret)
    private_note = indexed_note(
        author=owner, visibility=Note.Visibility.PRIVATE, title=f"{MARK}-private", **secret
    )
    public_note = indexed_note(
        author=owner, title="Owner's public note", body=f"A {SEARCH_WORD} review", topics=(TOPIC,)
    )
    board = BoardFactory(owner=owner, name=f"{MARK}-board", is_private=True)
    collected = NoteFactory(title="Someone's note")
    Collect.objects.create(user=owner, note=collected, board=board)
    comment = CommentFactory(note=private_note, author=owner, body=f"{MARK}-comment")
    public_board = BoardFactory(owner=owner, name="Owner's open board", is_private=False)
    public_comment = CommentFactory(note=public_note, author=owner, body="Owner's own comment")
    shown = NoteFactory(title="Collected openly")
    Collect.objects.create(user=owner, note=shown, board=public_board)
    notification = NotificationFactory(recipient=owner, note=public_note)

    product, (sku,) = shop_product(is_cross_border=True)
    order = place_order(shopper=(owner, address, identity), sku=sku)
    payment = payment_for(order, reference="pay_" + secrets.token_hex(16))
    cart = cart_with(user=owner, sku=SkuFactory(product=product, price=Decimal("120.00")), quantity=2)
    cart_line = cart.lines.get()

    sale = FlashSaleFactory(quota=5)
    stock_give(sku=sale.sku, warehouse=sale.warehouse, quantity=10)
    sales.sale_publish(sale=sale)
    sales.sale_warm(sale=sale)
    request_id = uuid.uuid4().hex
    answer = admission.flash_buy(sale_id=sale.pk, user_id=owner.pk, request_id=request_id, ip="10.0.0.1")
    assert answer.status == "admitted", answer
    Reminder.objects.create(sale=sale, user=owner)
    beat_heartbeat_write()  # /readyz answers 200, as where beat runs (without it: a 503, not a bug)
    return World(
        owner=owner,
        address=address,
        identity=identity,
        draft=draft,
        private_note=private_note,
        public_note=public_note,
        board=board,
        public_board=public_board,
        public_comment=public_comment,
        extra={"collected_openly": shown},
        collected=collected,
        comment=comment,
        notification=notification,
        order=order,
        payment=payment,
        cart_line=cart_line,
        product=product,
        sale=FlashSale.objects.get(pk=sale.pk),
        request_id=request_id,
    )


# --- the registries: route key -> the values its path is built with ---------------------------------------

READ = frozenset({"get", "head"})
EVERY = frozenset({"get", "head", "post", "put", "patch", "delete"})


def _notes(w: World) -> list[dict]:
    return [{"note_id": w.draft.pk}, {"note_id": w.private_note.pk}]


def _note_products(w: World) -> list[dict]:
    return [{"note_id": w.draft.pk, "product_id": w.product.pk}]


def _address(w: World) -> list[dict]:
    return [{"address_id": w.address.pk}]


def _identity(w: World) -> list[dict]:
    return [{"identity_id": w.identity.pk}]


def _board(w: World) -> list[dict]:
    return [{"board_id": w.board.pk}]


def _comment(w: World) -> list[dict]:
    return [{"comment_id": w.comment.pk}]


def _order(w: World) -> list[dict]:
    return [{"number": w.order.number}]


def _payment(w: World) -> list[dict]:
    return [{"reference": w.payment.reference}]


def _cart_line(w: World) -> list[dict]:
    return [{"line_id": w.cart_line.pk}]


def _flash_request(w: World) -> list[dict]:
    return [{"sale_id": w.sale.pk, "request_id": w.request_id}]


#: Routes whose object is the owner's private one: anonymous and another user are refused every method.
PRIVATE = {
    "accounts:address_edit": _address,
    "accounts:address_delete": _address,
    "accounts:address_default": _address,
    "accounts:identity_delete": _identity,
    "accounts:identity_default": _identity,
    "community:note": _notes,
    "community:note_edit": _notes,
    "community:note_delete": _notes,
    "community:note_publish": _notes,
    "community:note_like": _notes,
    "community:note_unlike": _notes,
    "community:note_collect": _notes,
    "community:note_uncollect": _notes,
    "community:comment_create": _notes,
    "community:comments_more": _notes,
    "community:report_note": _notes,
    # The personal feed: "not interested" and related notes of a note the visitor may not see are refused.
    "recs:hide": _notes,
    "recs:related": _notes,
    "api-note-related": _notes,
    "community:board_edit": _board,
    "community:board_delete": _board,
    "community:board": _board,
    "community:comment_replies": _comment,
    "community:comment_reply": _comment,
    "community:comment_like": _comment,
    "community:comment_unlike": _comment,
    "community:comment_delete": _comment,
    "community:report_comment": _comment,
    "community:note_product_open": _note_products,
    "community:note_product_buy": _note_products,
    "community:note_product_cart": _note_products,
    "payments:order_pay": _order,
    "payments:sandbox_pay": _payment,
    "mall:cart_line": _cart_line,
    "mall:cart_line_remove": _cart_line,
    "mall:cart_line_variant": _cart_line,
    "mall:order": _order,
    "mall:order_status": _order,
    "mall:order_cancel": _order,
    "mall:order_confirm_delivery": _order,
    "mall:order_return": _order,
    "mall:order_return_parcel": _order,
    "api-address": _address,
    "api-identity": _identity,
    "api-note": _notes,
    "api-note-publish": _notes,
    "api-note-like": _notes,
    "api-note-collect": _notes,
    "api-note-comments": _notes,
    "api-board": _board,
    "api-board-notes": _board,
    "api-comment-replies": _comment,
    "api-comment-like": _comment,
    "api-comment": _comment,
    "api-note-product-cart": _note_products,
    "payments_api:api_start": _order,
    "payments_api:api_detail": _payment,
    "api-mall-cart-line": _cart_line,
    "api-mall-order": _order,
    "api-mall-order-action": lambda w: [
        {"number": w.order.number, "action": action} for action in ("cancel", "confirm-delivery", "return")
    ],
}


#: Routes that answer for any id at all (a buyer polls a request id of their own choosing): as a visitor,
#: the owner's object must look exactly like one never made. Each value gives (owner's, never made).
SAME_AS_MISSING = {
    "flash:buy_status": lambda w: (
        _flash_request(w)[0],
        {"sale_id": w.sale.pk, "request_id": "never-made-1234"},
    ),
    "api-flash-request": lambda w: (
        _flash_request(w)[0],
        {"sale_id": w.sale.pk, "request_id": "never-made-1234"},
    ),
}


#: Routes of ``PRIVATE`` swept a second time with the owner's *public* object: visitors may be answered
#: with the methods given (reading it), and are refused every other one (editing, deleting, publishing).
OWNERS_PUBLIC_OBJECT = {
    "community:note": (lambda w: [{"note_id": w.public_note.pk}], READ),
    "recs:related": (lambda w: [{"note_id": w.public_note.pk}], READ),
    "api-note-related": (lambda w: [{"note_id": w.public_note.pk}], READ),
    "community:note_edit": (lambda w: [{"note_id": w.public_note.pk}], frozenset()),
    "community:note_delete": (lambda w: [{"note_id": w.public_note.pk}], frozenset()),
    "community:note_publish": (lambda w: [{"note_id": w.public_note.pk}], frozenset()),
    "api-note": (lambda w: [{"note_id": w.public_note.pk}], READ),
    "api-note-publish": (lambda w: [{"note_id": w.public_note.pk}], frozenset()),
    "community:comment_delete": (lambda w: [{"comment_id": w.public_comment.pk}], frozenset()),
    "api-comment": (lambda w: [{"comment_id": w.public_comment.pk}], READ),
    "community:board": (lambda w: [{"board_id": w.public_board.pk}], READ),
    "community:board_edit": (lambda w: [{"board_id": w.public_board.pk}], frozenset()),
    "community:board_delete": (lambda w: [{"board_id": w.public_board.pk}], frozenset()),
    "api-board": (lambda w: [{"board_id": w.public_board.pk}], READ),
    "api-board-notes": (lambda w: [{"board_id": w.public_board.pk}], READ),
}


def _owner(w: World) -> list[dict]:
    return [{"user_id": w.owner.pk}]


def _product(w: World) -> list[dict]:
    return [{"product_id": w.product.pk}]


def _sale(w: World) -> list[dict]:
    return [{"sale_id": w.sale.pk}]


#: Routes public by design: anyone may be answered (never with a marker), and nothing of the owner's
#: changes. Each says why.
PUBLIC = {
    # Topics, profiles and who follows whom are public pages; following someone is anyone's own act.
    "community:topic": lambda w: [{"name": TOPIC}],
    "api-topic-notes": lambda w: [{"name": TOPIC}],
    "community:user_follow": _owner,
    "community:user_unfollow": _owner,
    "api-user-follow": _owner,
    "community:profile": _owner,
    "community:followers": _owner,
    "community:following": _owner,
    "api-profile": _owner,
    "api-profile-notes": _owner,
    "api-profile-collects": _owner,
    "api-profile-likes": _owner,
    "api-profile-boards": _owner,
    "api-profile-followers": _owner,
    "api-profile-following": _owner,
    # The notes written about a product, as its page shows them.
    "community:product_notes_fragment": _product,
    "community:product_notes": _product,
    "api-product-notes": _product,
    # The catalog.
    "mall:category": lambda w: [{"slug": w.product.category.slug}],
    "mall:product": lambda w: [{"slug": w.product.slug}],
    "api-mall-product": lambda w: [{"slug": w.product.slug}],
    # A flash sale's page; reminding, buying and a buy pass are the visitor's own.
    "flash:sale": _sale,
    "flash:remind": _sale,
    "flash:buy": _sale,
    "api-flash-buy": _sale,
    "api-flash-pass": _sale,
    # Uploaded files are served by their unguessable names (development only: SERVE_MEDIA).
    "^media/(?P<path>.*)$": lambda w: [{"path": "nothing-here.webp"}],
}

#: Routes without a parameter that anyone may be answered on, and with which methods; every other route
#: and method refuses anonymous visitors (a new page for signed-in people must not forget its login check).
PUBLIC_WITHOUT_PARAMETERS = {
    "home": READ,
    "healthz": READ,
    "readyz": READ,  # which dependency is down, never why in detail; /metrics is staff's or a token's
    "set_language": EVERY,
    # Signing in, out and up.
    "accounts:login": EVERY,
    "accounts:logout": EVERY,
    "accounts:signup": EVERY,
    "api-token": EVERY,
    "admin:login": EVERY,
    "admin:logout": EVERY,
    # Reading and searching what is published; the following feed invites an anonymous visitor to sign in.
    "community:feed_following": READ,
    "community:feed_hot": READ,
    "community:search": READ,
    "community:search_suggest": READ,
    "community:topic_suggest": READ,
    "api-feed": READ,
    "api-feed-for-you": READ,
    "api-notes": READ,
    "api-topics-suggest": READ,
    "api-search-notes": READ,
    "api-search-users": READ,
    "api-search-topics": READ,
    "api-search-suggest": READ,
    "api-recommended-products": READ,
    # The shop, and the anonymous cart kept in the session until sign-in.
    "mall:home": READ,
    "mall:products": READ,
    "mall:search": READ,
    "mall:cart": EVERY,
    "mall:cart_add": EVERY,
    "mall:cart_select_all": EVERY,
    "api-mall-products": READ,
    "api-mall-categories": READ,
    "api-mall-brands": READ,
    "api-mall-cart": EVERY,
    "api-flash-sales": READ,
    "api-flash-phases": READ,
    "api-flash-ping": EVERY,
    # The payment provider's webhook: signed deliveries, no session.
    "payments_api:webhook_sandbox": EVERY,
    # The API's description.
    "schema": READ,
    "api-docs": READ,
}


def admin_values(route, w: World) -> dict:
    """Values for an admin route: the owner's own row where the route's model is one of theirs."""
    objects = {
        type(o): o
        for o in (w.owner, w.address, w.identity, w.draft, w.board, w.comment, w.notification, w.order)
        + (w.payment, w.cart_line, w.sale)
    }
    models = {(m._meta.app_label, m._meta.model_name): m for m in admin.site._registry}
    parts = route.route.split("/")
    model = models.get(tuple(parts[1:3])) if len(parts) > 2 else None
    pk = objects[model].pk if model in objects else w.owner.pk
    values = {}
    for param in route.params:
        if param == "app_label":
            values[param] = "mall"
        elif param == "content_type_id":
            from django.contrib.contenttypes.models import ContentType

            values[param] = ContentType.objects.get_for_model(Order).pk
        elif param == "object_id" and "content_type_id" in route.params:
            values[param] = w.order.pk
        elif param in ("object_id", "id"):
            values[param] = pk
        else:
            values[param] = "sweep"
    return values


# --- what must not change -----------------------------------------------------------------------------------


def _rows(queryset, exclude=()) -> list[dict]:
    return [
        {k: v for k, v in model_to_dict(row).items() if k not in exclude}
        | {"_pk": row.pk, "_str": str(getattr(row, "updated_at", ""))}
        for row in queryset.order_by("pk")
    ]


def snapshot(w: World) -> dict:
    """Everything of the owner's, and everything anyone did to it, as comparable values."""
    owner = w.owner
    on_owner_notes = Q(note__author=owner)
    return {
        "user": _rows(User.objects.filter(pk=owner.pk), exclude=("last_login",)),
        "addresses": _rows(Address.objects.filter(user=owner)),
        "identities": _rows(CustomsIdentity.objects.filter(user=owner)),
        "notes": _rows(Note.objects.filter(author=owner)),
        "boards": _rows(Board.objects.filter(owner=owner)),
        "collects": _rows(Collect.objects.filter(Q(user=owner) | on_owner_notes)),
        "likes": _rows(Like.objects.filter(on_owner_notes)),
        "comments": _rows(Comment.objects.filter(Q(author=owner) | on_owner_notes)),
        "reports": _rows(Report.objects.filter(Q(note__author=owner) | Q(comment__author=owner))),
        "notifications": _rows(Notification.objects.filter(recipient=owner)),
        "carts": _rows(Cart.objects.filter(user=owner)),
        "cart_lines": _rows(CartLine.objects.filter(cart__user=owner)),
        "orders": _rows(Order.objects.filter(user=owner)),
        "order_events": _rows(OrderEvent.objects.filter(order__user=owner)),
        "payments": _rows(Payment.objects.filter(order__user=owner)),
        "reminders": _rows(Reminder.objects.filter(user=owner)),
        "flash_request": flash_redis().hget(flash_keys.requests(w.sale.pk), w.request_id),
    }
