"""The shared admin toolkit: running an action over rows and telling the operator how it went."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.test import RequestFactory
from django.utils.translation import ngettext

from core.admintools import (
    ActionCounts,
    badge,
    confirmed,
    dash_if_none,
    report_counts,
    run_action,
)
from core.errors import DomainError


class AlreadyHandled(DomainError):
    pass


class FakeAdmin:
    """Collects what an action would show the operator."""

    def __init__(self):
        self.sent: list[tuple[int, str]] = []

    def message_user(self, request, message, level=messages.INFO):
        self.sent.append((level, str(message)))


def _service(row):
    if row == "refused":
        raise DomainError("not allowed")
    if row == "handled":
        raise AlreadyHandled("already")
    if row == "same":
        return False
    if row == "said":
        return "did the said one"
    return True


def test_run_action_counts_done_unchanged_and_refused_rows_and_reports_each_kind():
    # given rows the service does, leaves alone (False or an "already" error) and refuses
    modeladmin, request = FakeAdmin(), RequestFactory().post("/")
    rows = ["ok", "said", "same", "handled", "refused"]

    # when the action runs over them
    counts = run_action(
        modeladmin,
        request,
        rows,
        _service,
        unchanged_on=(AlreadyHandled,),
        done=lambda n: ngettext("Did %(n)d row.", "Did %(n)d rows.", n),
        unchanged="%(n)d were left as they were.",
    )

    # then each outcome is counted once and the operator reads them in order
    assert counts == ActionCounts(done=2, unchanged=2, failed=1)
    assert counts.total == len(rows)
    assert modeladmin.sent == [
        (messages.SUCCESS, "did the said one"),
        (messages.ERROR, "refused: not allowed"),
        (messages.SUCCESS, "Did 2 rows."),
        (messages.INFO, "2 were left as they were."),
    ]


def test_run_action_can_report_refusals_without_naming_the_row_and_at_another_level():
    modeladmin, request = FakeAdmin(), RequestFactory().post("/")

    counts = run_action(
        modeladmin, request, ["refused"], _service, label=None, refusal_level=messages.WARNING
    )

    assert counts == ActionCounts(failed=1)
    assert modeladmin.sent == [(messages.WARNING, "not allowed")]


def test_report_counts_says_done_always_and_the_rest_only_when_there_is_some():
    modeladmin, request = FakeAdmin(), RequestFactory().post("/")

    report_counts(
        modeladmin,
        request,
        ActionCounts(done=0, unchanged=0, failed=3),
        done="Hid %(n)d notes.",
        unchanged="%(n)d were already hidden.",
        failed="%(n)d could not be hidden.",
    )

    assert modeladmin.sent == [
        (messages.SUCCESS, "Hid 0 notes."),
        (messages.WARNING, "3 could not be hidden."),
    ]


def test_confirmed_is_the_intermediate_pages_submit_button():
    factory = RequestFactory()
    assert confirmed(factory.post("/", {"apply": "Ship"}))
    assert not confirmed(factory.post("/", {"action": "ship"}))


def test_display_helpers_dash_a_missing_value_and_escape_a_badges_label():
    assert dash_if_none(None, lambda v: f"¥{v}") == "—"
    assert dash_if_none(Decimal("0"), lambda v: f"¥{v}") == "¥0"
    html = badge("paid", "<Paid>", "ok")
    assert html == '<span class="admin-badge admin-badge-ok" data-value="paid">&lt;Paid&gt;</span>'
