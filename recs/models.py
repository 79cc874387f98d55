"""What the personal feed stores in PostgreSQL (docs/architecture.md, "The personal discovery feed").

Likes, collects, comments and follows are the community's own rows and are read where they are; what is
here is only what nothing else records: a reader's stated tastes (interests picked at sign-up, "not
interested" in a note, a topic or a writer), the reach of each note (impressions flushed from Redis), the
sources' daily impressions and engagements for the operators, and the operators' switch.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReaderPreference(models.Model):
    """One stated taste of a reader: a picked topic, or "not interested" in a note, topic or writer."""

    class Kind(models.TextChoices):
        PICK_TOPIC = "pick_topic", _("Interested in topic")
        HIDE_NOTE = "hide_note", _("Not interested in note")
        HIDE_TOPIC = "hide_topic", _("Less of topic")
        HIDE_WRITER = "hide_writer", _("Less of writer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    target_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "target_id"], name="recs_preference_unique"),
        ]


class NoteReach(models.Model):
    """How many feed cards of a note were shown, all told and through the exploration budget."""

    note = models.OneToOneField(
        "community.Note", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    impressions = models.PositiveIntegerField(default=0)
    explore_impressions = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class SourceDaily(models.Model):
    """A candidate source's impressions and engagements (opens, likes, collects, comments) on a day."""

    day = models.DateField()
    source = models.CharField(max_length=12)
    impressions = models.PositiveIntegerField(default=0)
    engagements = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "source"], name="recs_source_day_unique")]
        verbose_name = _("source's day")
        verbose_name_plural = _("sources' days")


class TapDaily(models.Model):
    """Card taps on a day: a reader tapped a note's card on ``surface`` (the for-you feed, search, a topic
    page...) and opened it; ``source`` is the candidate source that showed it on the for-you feed ("-"
    elsewhere). Taps over impressions is a source's click-through rate."""

    day = models.DateField()
    surface = models.CharField(max_length=12)
    source = models.CharField(max_length=12)
    taps = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "surface", "source"], name="recs_tap_day_unique")
        ]
        verbose_name = _("taps of a day")
        verbose_name_plural = _("taps by day")


class RecsSwitch(models.Model):
    """The operators' controls, one row (pk 1): plain hot ranking instead of the personal feed, and the
    exploration budget (impressions guaranteed to each new public note)."""

    plain_hot = models.BooleanField(_("plain hot ranking"), default=False)
    explore_budget = models.PositiveIntegerField(_("exploration impressions per new note"), default=50)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("feed switch")
        verbose_name_plural = _("feed switch")

    def __str__(self) -> str:
        return str(_("Feed switch"))
