"""Notifications: made by tasks after the action commits, deduplicated by what caused them."""

from __future__ import annotations

from django.db import IntegrityError, connection, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.models import Collect, Comment, CommentLike, Follow, Like, Note, Notification
from core.errors import DomainError

Kind = Notification.Kind


def _notify(
    *, recipient_id: int, actor_id: int, kind: str, dedupe_key: str, note_id=None, comment_id=None
) -> int:
    if recipient_id == actor_id:
        return 0
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=recipient_id,
                actor_id=actor_id,
                kind=kind,
                inbox=Notification.INBOX_OF[kind],
                note_id=note_id,
                comment_id=comment_id,
                dedupe_key=dedupe_key,
            )
        ],
        ignore_conflicts=True,  # ON CONFLICT (dedupe_key) DO NOTHING: a retried task adds nothing
    )
    return len(created)


def notify_like(*, like_id: int) -> None:
    like = Like.objects.filter(pk=like_id).select_related("note").first()
    if like:
        _notify(
            recipient_id=like.note.author_id,
            actor_id=like.user_id,
            kind=Kind.LIKE_NOTE,
            note_id=like.note_id,
            dedupe_key=f"like:{like.user_id}:{like.note_id}",
        )


def notify_collect(*, collect_id: int) -> None:
    collect = Collect.objects.filter(pk=collect_id).select_related("note").first()
    if collect:
        _notify(
            recipient_id=collect.note.author_id,
            actor_id=collect.user_id,
            kind=Kind.COLLECT_NOTE,
            note_id=collect.note_id,
            dedupe_key=f"collect:{collect.user_id}:{collect.note_id}",
        )


def notify_follow(*, follow_id: int) -> None:
    follow = Follow.objects.filter(pk=follow_id).first()
    if follow:
        _notify(
            recipient_id=follow.followee_id,
            actor_id=follow.follower_id,
            kind=Kind.FOLLOW,
            dedupe_key=f"follow:{follow.follower_id}:{follow.followee_id}",
        )


def notify_comment_like(*, comment_like_id: int) -> None:
    like = CommentLike.objects.filter(pk=comment_like_id).select_related("comment").first()
    if like:
        _notify(
            recipient_id=like.comment.author_id,
            actor_id=like.user_id,
            kind=Kind.LIKE_COMMENT,
            note_id=like.comment.note_id,
            comment_id=like.comment_id,
            dedupe_key=f"comment_like:{like.user_id}:{like.comment_id}",
        )


def notify_comment(*, comment_id: int) -> None:
    """The note's author hears of a comment; the replied-to person of a reply; @-ed people of a mention."""
    from accounts.models import User
    from community.text import mentions_parse

    comment = Comment.objects.filter(pk=comment_id).select_related("note", "parent").first()
    if comment is None:
        return
    told: set[int] = {comment.author_id}
    with transaction.atomic():
        if comment.parent_id is not None:
            target = comment.reply_to_id or comment.parent.author_id
            _notify(
                recipient_id=target,
                actor_id=comment.author_id,
                kind=Kind.REPLY,
                note_id=comment.note_id,
                comment_id=comment.pk,
                dedupe_key=f"reply:{comment.pk}",
            )
            told.add(target)
        if comment.note.author_id not in told:
            _notify(
                recipient_id=comment.note.author_id,
                actor_id=comment.author_id,
                kind=Kind.COMMENT,
                note_id=comment.note_id,
                comment_id=comment.pk,
                dedupe_key=f"comment:{comment.pk}",
            )
            told.add(comment.note.author_id)
        handles = mentions_parse(comment.body)
        if handles:
            for user_id in (
                User.objects.filter(username__in=handles).exclude(pk__in=told).values_list("pk", flat=True)
            ):
                _notify(
                    recipient_id=user_id,
                    actor_id=comment.author_id,
                    kind=Kind.MENTION,
                    note_id=comment.note_id,
                    comment_id=comment.pk,
                    dedupe_key=f"mention:c{comment.pk}:{user_id}",
                )


def notify_note_mentions(*, note_id: int) -> None:
    note = Note.objects.filter(pk=note_id).first()
    if note is None or not note.is_public:
        return
    with transaction.atomic():
        for user_id in note.mentions.values_list("pk", flat=True):
            _notify(
                recipient_id=user_id,
                actor_id=note.author_id,
                kind=Kind.MENTION,
                note_id=note.pk,
                dedupe_key=f"mention:n{note.pk}:{user_id}",
            )


# --- notices: things that happened to you, not things a person did ------------------------------------------


def _notice(*, recipient_id: int, kind: str, dedupe_key: str, params: dict, note_id=None) -> int:
    """One notice, once per cause: the unique ``dedupe_key`` refuses a second (a retried task), and 0
    says so. ``params`` are plain values the text is built from when it is read (community/notices.py),
    so it reads in the reader's language."""
    try:
        with transaction.atomic():
            Notification.objects.create(
                recipient_id=recipient_id,
                kind=kind,
                inbox=Notification.INBOX_OF[kind],
                note_id=note_id,
                params=params,
                dedupe_key=dedupe_key[:64],
            )
    except IntegrityError:
        return 0
    return 1


def notify_order_event(*, order_event_id: int) -> int:
    """Tell the buyer their order was paid, cleared, shipped (carrier, tracking number), delivered, or
    that their return arrived. Other transitions tell nobody."""
    from community.notices import ORDER_NOTICE_OF_STATE
    from mall.models import OrderEvent

    event = OrderEvent.objects.filter(pk=order_event_id).select_related("order").first()
    if event is None or event.to_state not in ORDER_NOTICE_OF_STATE:
        return 0
    order = event.order
    params = {"number": order.number, "state": event.to_state}
    if event.to_state == order.State.SHIPPED:
        params |= {"carrier": order.carrier, "tracking": order.tracking_number}
    return _notice(
        recipient_id=order.user_id,
        kind=ORDER_NOTICE_OF_STATE[event.to_state],
        params=params,
        dedupe_key=f"order_event:{event.pk}",
    )


def notify_return_approved(*, order_id: int) -> int:
    """Tell the buyer the shop agreed to take their return back."""
    from mall.models import ReturnRequest

    request = (
        ReturnRequest.objects.filter(order_id=order_id, approved_at__isnull=False)
        .select_related("order")
        .first()
    )
    if request is None:
        return 0
    return _notice(
        recipient_id=request.order.user_id,
        kind=Kind.RETURN_APPROVED,
        params={"number": request.order.number},
        dedupe_key=f"return_approved:{request.pk}",
    )


def notify_refund(*, refund_id: int) -> int:
    """Tell the buyer the provider gave their money back."""
    from mall.models import Refund

    refund = (
        Refund.objects.filter(pk=refund_id, state=Refund.State.SUCCEEDED)
        .select_related("payment__order")
        .first()
    )
    if refund is None:
        return 0
    order = refund.payment.order
    return _notice(
        recipient_id=order.user_id,
        kind=Kind.REFUND_MADE,
        params={"number": order.number, "amount": f"{refund.amount:.2f}"},
        dedupe_key=f"refund:{refund.pk}",
    )


def notify_note_hidden(*, note_id: int, reason: str, hidden_at: str) -> int:
    """Tell a writer that moderation hid their note, why (a report reason code, or none), and how to appeal.

    ``hidden_at`` names the hiding: a retried task tells once, a note hidden again later is told again.
    """
    note = Note.objects.filter(pk=note_id, status=Note.Status.HIDDEN).only("pk", "author_id", "title").first()
    if note is None:  # restored meanwhile: nothing to tell
        return 0
    return _notice(
        recipient_id=note.author_id,
        kind=Kind.NOTE_HIDDEN,
        note_id=note.pk,
        params={"title": note.title, "reason": reason},
        dedupe_key=f"note_hidden:{note.pk}:{hidden_at}",
    )


def notify_partnership(*, partnership_id: int) -> int:
    """Tell a writer that a brand recorded a partnership with them."""
    from community.models import Partnership

    partnership = Partnership.objects.filter(pk=partnership_id).select_related("brand").first()
    if partnership is None:
        return 0
    return _notice(
        recipient_id=partnership.writer_id,
        kind=Kind.PARTNERSHIP,
        params={
            "brand": partnership.brand.name,
            "campaign": partnership.title,
            "starts_on": partnership.starts_on.isoformat(),
            "ends_on": partnership.ends_on.isoformat(),
        },
        dedupe_key=f"partnership:{partnership.pk}",
    )


NOTICES_FROM_OTHER_APPS = {Kind.SALE_OPENED}


def notify_notice(*, user_id: int, kind: str, params: dict, key: str) -> int:
    """A notice another app announced through ``core.signals.notice_for_user`` (a sale opened)."""
    if kind not in NOTICES_FROM_OTHER_APPS:
        return 0
    return _notice(recipient_id=user_id, kind=kind, params=dict(params), dedupe_key=f"{kind}:{key}")


# The badge never says more than "99+", so counting stops there: a writer with a million unread
# notifications costs the same as one with a hundred.
UNREAD_COUNT_CAP = 100


def _unread_count_sql() -> str:
    """``Notification.objects.filter(recipient=user, read_at=None)[:cap].count()``, written once.

    The badge runs on every signed-in page, and the ORM built this same query afresh each time: about
    0.4 ms of CPU to compile it, ten times what running it costs here (benchmarks/README.md, "Pages").
    """
    table = connection.ops.quote_name(Notification._meta.db_table)
    return (
        f'SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE "recipient_id" = %s AND "read_at" IS NULL'  # noqa: S608 - the model's own table; values are parameters
        " LIMIT %s) AS unread"
    )


def notification_unread_count(user) -> int:
    """The unread badge on every page (``settings.UNREAD_COUNT_CALLABLE``): one COUNT on the partial
    index ``notification_unread`` (recipient WHERE read_at IS NULL), capped at ``UNREAD_COUNT_CAP``.

    Deliberately not cached: a cache makes the number of queries of every page depend on what an
    earlier request left in Redis, and the capped count on a partial index is already cheap.
    """
    if user is None or not user.is_authenticated:
        return 0
    with connections[router.db_for_read(Notification)].cursor() as cursor:
        cursor.execute(_unread_count_sql(), [user.pk, UNREAD_COUNT_CAP])
        return cursor.fetchone()[0]


def notifications_mark_read(*, user, inbox: str | None = None, up_to: int | None = None) -> int:
    """Mark ``user``'s unread notifications read: of one inbox or all, up to id ``up_to`` if given.

    ``up_to`` is the newest entry the person was shown, so a notification that arrives while the page
    renders stays unread. Idempotent: running it twice marks nothing the second time.
    """
    if inbox is not None and inbox not in Notification.Inbox.values:
        raise DomainError(_("No such inbox."), field="inbox")
    with transaction.atomic(durable=True):
        qs = Notification.objects.filter(recipient=user, read_at=None)
        if inbox:
            qs = qs.filter(inbox=inbox)
        if up_to is not None:
            qs = qs.filter(id__lte=up_to)
        return qs.update(read_at=timezone.now())
