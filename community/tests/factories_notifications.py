"""Factories for notifications and reports (the shared factories.py stays as it is)."""

from __future__ import annotations

import factory

from accounts.tests.factories import UserFactory
from community.models import Notification, Report
from community.tests.factories import CommentFactory, NoteFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A like on one of the recipient's notes, unread."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(UserFactory)
    kind = Notification.Kind.LIKE_NOTE
    inbox = factory.LazyAttribute(lambda o: Notification.INBOX_OF[o.kind])
    note = factory.LazyAttribute(
        lambda o: NoteFactory(author=o.recipient) if o.kind != Notification.Kind.FOLLOW else None
    )
    comment = None
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


class NoteReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    note = factory.SubFactory(NoteFactory)
    comment = None
    reason = Report.Reason.SPAM


class CommentReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    reporter = factory.SubFactory(UserFactory)
    note = None
    comment = factory.SubFactory(CommentFactory)
    reason = Report.Reason.OFFENSIVE
