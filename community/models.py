"""Notes and everything people do with them. Counters move with F() in the transaction of the row they
count; ``community.tasks.counters_recompute_task`` recomputes them from the source rows and logs drift."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 20
BODY_MAX = 1000
IMAGES_MAX = 18
COMMENT_MAX = 500


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    note_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        indexes = [models.Index(fields=["-note_count", "id"], name="topic_popular")]

    def __str__(self) -> str:
        return f"#{self.name}"


class Note(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        PRIVATE = "private", _("Only me")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UNDER_REVIEW = "under_review", _("Under review")
        HIDDEN = "hidden", _("Hidden by moderation")
        # Saved by the writer, not published yet: seen by nobody else, anywhere (feeds, search, topics,
        # profiles, product pages, statistics all list published notes only).
        DRAFT = "draft", _("Draft")

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("body"), max_length=BODY_MAX, blank=True)
    location = models.CharField(_("location"), max_length=60, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PUBLISHED)
    cover = models.ForeignKey("NoteImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Set only when the writer declares a brand partnership: the note is "sponsored" wherever it shows.
    partnership = models.ForeignKey(
        "Partnership", null=True, blank=True, on_delete=models.PROTECT, related_name="notes"
    )
    topics = models.ManyToManyField(Topic, related_name="notes", blank=True)
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mentioned_in", blank=True)
    like_count = models.PositiveIntegerField(default=0)
    collect_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    view_count = models.PositiveBigIntegerField(default=0)
    hot_score = models.FloatField(default=0, db_index=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        indexes = [
            # Discovery feed: keyset on (hot_score, id) over what everybody may see.
            models.Index(
                F("hot_score").desc(),
                F("id").desc(),
                name="note_feed_hot",
                condition=Q(status="published", visibility="public"),
            ),
            models.Index(fields=["author", "-id"], name="note_author_recent"),
            models.Index(
                fields=["-id"], name="note_recent", condition=Q(status="published", visibility="public")
            ),
            GinIndex(fields=["search_vector"], name="note_search"),
            # Search sorted by a counter walks these in order, checking each row against the query,
            # so a page of a common word costs the same at 1k or 200k notes (benchmarks/).
            models.Index(
                F("like_count").desc(),
                F("id").desc(),
                name="note_search_liked",
                condition=Q(status="published", visibility="public"),
            ),
            models.Index(
                F("collect_count").desc(),
                F("id").desc(),
                name="note_search_collected",
                condition=Q(status="published", visibility="public"),
            ),
            models.Index(
                F("comment_count").desc(),
                F("id").desc(),
                name="note_search_commented",
                condition=Q(status="published", visibility="public"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.visibility == self.Visibility.PUBLIC

    @property
    def is_sponsored(self) -> bool:
        return self.partnership_id is not None


class NoteImage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField()
    # The upload as received: never served (it may carry EXIF); renditions are made from it.
    original = models.FileField(upload_to="notes/originals/%Y/%m/")
    feed = models.ImageField(upload_to="notes/feed/%Y/%m/", blank=True)
    detail = models.ImageField(upload_to="notes/detail/%Y/%m/", blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["note", "position"],
                name="noteimage_unique_position",
                deferrable=models.Deferrable.DEFERRED,
            )
        ]

    def __str__(self) -> str:
        return f"image {self.position} of note {self.note_id}"

    @property
    def aspect_ratio(self) -> str:
        return f"{self.width} / {self.height}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "note"], name="like_once")]
        indexes = [models.Index(fields=["user", "-id"], name="like_user_recent")]


class Board(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="boards")
    name = models.CharField(_("name"), max_length=30)
    is_private = models.BooleanField(_("private"), default=False)
    is_default = models.BooleanField(default=False)
    note_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("board")
        verbose_name_plural = _("boards")
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="board_unique_name"),
            models.UniqueConstraint(fields=["owner"], condition=Q(is_default=True), name="board_one_default"),
        ]

    def __str__(self) -> str:
        return self.name


class Collect(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collects")
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="collects")
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="collects")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "note"], name="collect_once")]
        indexes = [
            models.Index(fields=["user", "-id"], name="collect_user_recent"),
            models.Index(fields=["board", "-id"], name="collect_board_recent"),
        ]


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden by moderation")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    # Two levels: a reply's parent is always a top-level comment; reply_to is the person @-ed.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    reply_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["note", "-like_count", "id"], name="comment_top", condition=Q(parent=None)),
            models.Index(fields=["parent", "id"], name="comment_replies"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="comment_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.body[:40]


class CommentLike(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "comment"], name="comment_like_once")]


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followee")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "-id"], name="follow_followers")]


class Notification(models.Model):
    class Kind(models.TextChoices):
        LIKE_NOTE = "like_note", _("liked your note")
        COLLECT_NOTE = "collect_note", _("collected your note")
        LIKE_COMMENT = "like_comment", _("liked your comment")
        FOLLOW = "follow", _("started following you")
        COMMENT = "comment", _("commented on your note")
        REPLY = "reply", _("replied to your comment")
        MENTION = "mention", _("mentioned you")
        # Notices: nobody did them to you, so they have no actor; their text is built from ``params``
        # in the reader's language when shown (community/notices.py).
        ORDER_PAID = "order_paid", _("order paid")
        ORDER_CLEARED = "order_cleared", _("order cleared by customs")
        ORDER_SHIPPED = "order_shipped", _("order shipped")
        ORDER_DELIVERED = "order_delivered", _("order delivered")
        RETURN_APPROVED = "return_approved", _("return approved")
        RETURN_RECEIVED = "return_received", _("return received")
        REFUND_MADE = "refund_made", _("refund made")
        SALE_OPENED = "sale_opened", _("flash sale open")
        NOTE_HIDDEN = "note_hidden", _("note hidden by moderation")
        PARTNERSHIP = "partnership", _("brand partnership invitation")

    class Inbox(models.TextChoices):
        LIKES = "likes", _("Likes and collects")
        FOLLOWS = "follows", _("New followers")
        COMMENTS = "comments", _("Comments and @")
        NOTICES = "notices", _("Notices")

    INBOX_OF = {
        Kind.LIKE_NOTE: Inbox.LIKES,
        Kind.COLLECT_NOTE: Inbox.LIKES,
        Kind.LIKE_COMMENT: Inbox.LIKES,
        Kind.FOLLOW: Inbox.FOLLOWS,
        Kind.COMMENT: Inbox.COMMENTS,
        Kind.REPLY: Inbox.COMMENTS,
        Kind.MENTION: Inbox.COMMENTS,
        **dict.fromkeys(
            [
                Kind.ORDER_PAID,
                Kind.ORDER_CLEARED,
                Kind.ORDER_SHIPPED,
                Kind.ORDER_DELIVERED,
                Kind.RETURN_APPROVED,
                Kind.RETURN_RECEIVED,
                Kind.REFUND_MADE,
                Kind.SALE_OPENED,
                Kind.NOTE_HIDDEN,
                Kind.PARTNERSHIP,
            ],
            Inbox.NOTICES,
        ),
    }

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # None for a notice (an order shipped, a sale opened): the shop told you, not a person.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    inbox = models.CharField(max_length=10, choices=Inbox.choices)
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    # What a notice's text and link are built from when it is read (ids, numbers, codes; never text in
    # the writer's language), so each reader sees it in their own language.
    params = models.JSONField(default=dict, blank=True)
    # What caused it ("like:17"): a retried task finds the row already there and adds nothing.
    dedupe_key = models.CharField(max_length=64, unique=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["recipient", "inbox", "-id"], name="notification_inbox"),
            models.Index(fields=["recipient"], name="notification_unread", condition=Q(read_at=None)),
        ]

    @property
    def message(self) -> str:
        """What happened, in the active (the reader's) language."""
        from community.notices import notice_message

        return notice_message(self)

    @property
    def link(self) -> str | None:
        """Where a notice takes its reader (None for the social kinds, whose template links the note)."""
        from community.notices import notice_link

        return notice_link(self)


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        FAKE = "fake", _("Fake review or undisclosed promotion")
        OFFENSIVE = "offensive", _("Offensive or harassing")
        ILLEGAL = "illegal", _("Illegal or dangerous goods")
        OTHER = "other", _("Something else")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        HIDDEN = "hidden", _("Content hidden")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    note = models.ForeignKey(Note, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports"
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    detail = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(note__isnull=False, comment__isnull=True)
                | Q(note__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "note"], condition=Q(state="open"), name="report_open_once_note"
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"], condition=Q(state="open"), name="report_open_once_comment"
            ),
        ]
        indexes = [models.Index(fields=["state", "-id"], name="report_queue")]


# --- Where the community meets the mall (purchase links, disclosure, attribution) -----------------------

PRODUCT_LINKS_MAX = 5


class Partnership(models.Model):
    """A paid brand partnership an operator recorded: notes written under it are bound to the brand and
    labelled "sponsored" wherever they appear."""

    brand = models.ForeignKey("mall.Brand", on_delete=models.PROTECT, related_name="+")
    writer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partnerships"
    )
    title = models.CharField(_("campaign"), max_length=60)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("brand partnership")
        verbose_name_plural = _("brand partnerships")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="partnership_period"),
        ]
        indexes = [models.Index(fields=["writer", "brand"], name="partnership_writer_brand")]

    def __str__(self) -> str:
        return f"{self.title} ({self.brand_id})"


class NoteProduct(models.Model):
    """A purchase link: a product (optionally one variant) tagged in a note, shown as a card."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="product_links")
    product = models.ForeignKey("mall.Product", on_delete=models.CASCADE, related_name="+")
    sku = models.ForeignKey("mall.Sku", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["note", "product"], name="note_product_once")]
        # The product page's "buyer shows": the notes tagging one product, newest first.
        indexes = [models.Index(fields=["product", "-note"], name="note_product_by_product")]


class ProductCardClick(models.Model):
    """A reader tapped a product card (open, buy, add to cart) in a note: attribution for the writer's
    statistics and buzz for operators."""

    class Action(models.TextChoices):
        OPEN = "open", _("Opened the product")
        BUY = "buy", _("Buy now")
        CART = "cart", _("Added to cart")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("mall.Product", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["note", "created_at"], name="card_click_note_time"),
            models.Index(fields=["product", "created_at"], name="card_click_product_time"),
        ]


class NoteDailyViews(models.Model):
    """Views per note per day, written by the same flush that moves ``Note.view_count``."""

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["note", "day"], name="note_daily_views_once")]


class DisclosureFlag(models.Model):
    """A note that tags a product of a brand its writer is paid by, without declaring the partnership:
    queued for an operator."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        LABELLED = "labelled", _("Labelled as sponsored")
        HIDDEN = "hidden", _("Note hidden")
        DISMISSED = "dismissed", _("Dismissed")

    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="disclosure_flags")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("undeclared partnership")
        verbose_name_plural = _("undeclared partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["note", "partnership"], condition=Q(state="open"), name="disclosure_flag_open_once"
            )
        ]
        indexes = [models.Index(fields=["state", "-id"], name="disclosure_flag_queue")]


class ProductBuzz(models.Model):
    """How much the community talks about a product, recomputed by a periodic task from the raw rows
    (tags, engagement on tagging notes, card clicks) for the demand view and recommendations."""

    product = models.OneToOneField(
        "mall.Product", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    mentions = models.PositiveIntegerField(default=0)
    engagement = models.PositiveIntegerField(default=0)
    card_clicks = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-score"], name="product_buzz_rank")]
