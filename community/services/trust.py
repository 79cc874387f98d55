"""Operators settle the undeclared-partnership queue: a note that tags a partner brand's product without
declaring the partnership (flagged by services/disclosure.py) is labelled as sponsored, hidden, or
dismissed.

Each decision is a compare-and-set UPDATE on an open flag, so two operators acting on the same flag at
once decide it once; the loser gets a Conflict and nothing else changes. Decisions record who and when.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from community.models import DisclosureFlag, Note, Partnership
from community.services import moderation
from core.errors import Conflict
from core.tasks import enqueue_on_commit

State = DisclosureFlag.State


class FlagAlreadyHandled(Conflict):
    code = "already_handled"


def _settle(*, operator: User | None, state: str, **scope) -> int:
    """Move the open flags in ``scope`` to ``state``; returns how many changed."""
    rows = DisclosureFlag.objects.filter(state=State.OPEN, **scope)
    return rows.update(state=state, handled_by=operator, handled_at=timezone.now())


def _already_handled() -> Conflict:
    return FlagAlreadyHandled(_("Another operator already handled this flag."))


def _refresh(flag: DisclosureFlag) -> None:
    flag.refresh_from_db(fields=["state", "handled_by", "handled_at"])


def disclosure_flag_label(*, flag: DisclosureFlag, operator: User | None) -> DisclosureFlag:
    """Label the note as sponsored: bind it to the flag's partnership (its brand shows wherever the note
    does) and close the flag as labelled.

    A note shows one sponsor. One that already declares another partnership keeps it (a label must never
    take the writer's own disclosure away): the flag stays open for the operator to hide the note or
    dismiss the flag, and they are told why."""
    with transaction.atomic(durable=True):
        if not _settle(operator=operator, state=State.LABELLED, pk=flag.pk):
            raise _already_handled()
        bound = (
            Note.objects.filter(pk=flag.note_id)
            .filter(Q(partnership__isnull=True) | Q(partnership_id=flag.partnership_id))
            .update(partnership_id=flag.partnership_id)
        )
        if not bound:
            # Raising rolls the flag back to open.
            declared = (
                Note.objects.filter(pk=flag.note_id)
                .values_list("partnership__brand__name", flat=True)
                .first()
            )
            raise Conflict(
                _(
                    "Note %(note)d already declares a partnership with %(brand)s and can show one sponsor: "
                    "hide the note or dismiss the flag instead."
                )
                % {"note": flag.note_id, "brand": declared or "?"}
            )
    _refresh(flag)
    return flag


def disclosure_flag_hide(*, flag: DisclosureFlag, operator: User | None) -> DisclosureFlag:
    """Hide the note (the moderation service: it leaves feeds and search at once) and close every open
    flag about it as hidden.

    ``note_hide`` is an outermost transaction of its own, so it runs first: if the flag update then
    finds another operator got there, the note stays hidden (what this operator asked for) and they hear
    about the other decision."""
    if not DisclosureFlag.objects.filter(pk=flag.pk, state=State.OPEN).exists():
        raise _already_handled()
    moderation.note_hide(note=Note(pk=flag.note_id), operator=operator)
    with transaction.atomic(durable=True):
        if not _settle(operator=operator, state=State.HIDDEN, pk=flag.pk):
            raise _already_handled()
        _settle(operator=operator, state=State.HIDDEN, note_id=flag.note_id)
    _refresh(flag)
    return flag


def disclosure_flag_dismiss(*, flag: DisclosureFlag, operator: User | None) -> DisclosureFlag:
    """Nothing to disclose (the note is not about the partnership): close the flag."""
    with transaction.atomic(durable=True):
        if not _settle(operator=operator, state=State.DISMISSED, pk=flag.pk):
            raise _already_handled()
    _refresh(flag)
    return flag


def partnership_record(*, partnership: Partnership, operator: User | None) -> Partnership:
    """Record a new brand partnership (the admin's form built it) and invite the writer: they get a
    notice once it commits. Runs inside the admin's own transaction, so it is not durable here."""
    with transaction.atomic():
        partnership.created_by = operator
        partnership.save()
        enqueue_on_commit("community.tasks.notify_partnership_task", partnership.pk)
    return partnership
