"""The sandbox real-name provider: deterministic, for development, tests and demos (refused in production
unless DEMO=1, like the other sandboxes: core.gateways).

It verifies exactly these test identities, and refuses every other number or name:

- the named identities in ``SANDBOX_IDENTITIES`` below, with exactly that name;
- the test range: region 110105 (Chaoyang, Beijing), born 1 to 28 January 1990, any sequence number and a
  correct check digit, e.g. 110105199001010012 (``accounts.tests.factories.valid_id_number`` makes
  them), under any name that is a name (``accounts.idnumbers.real_name_validate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils.translation import gettext as _

from accounts.idnumbers import id_check_digit
from accounts.realname.base import RealnameProvider, RealnameResult


def _with_check_digit(first17: str) -> str:
    return first17 + id_check_digit(first17)


# Number -> the only name it verifies with (the demo's people: demo/seed).
SANDBOX_IDENTITIES = {
    "11010519491231002X": "王小明",
    "440524188001010014": "李美美",
    _with_check_digit("31010119980315062"): "林丽丽",
    _with_check_digit("44030519900701531"): "赵大王",
    _with_check_digit("11010819930812242"): "莫小莫",
}
TEST_RANGE_REGION = "110105"
TEST_RANGE_FIRST, TEST_RANGE_LAST = dt.date(1990, 1, 1), dt.date(1990, 1, 28)


def in_test_range(id_number: str) -> bool:
    if not id_number.startswith(TEST_RANGE_REGION):
        return False
    try:
        born = dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return False
    return TEST_RANGE_FIRST <= born <= TEST_RANGE_LAST


class SandboxRealname(RealnameProvider):
    name = "sandbox"

    def verify(self, *, real_name: str, id_number: str) -> RealnameResult:
        reference = "SBXR" + hashlib.sha256(f"{real_name}:{id_number}".encode()).hexdigest()[:12]
        named = SANDBOX_IDENTITIES.get(id_number)
        if (named is not None and named == real_name) or (named is None and in_test_range(id_number)):
            return RealnameResult(True, reference=reference)
        # One answer for a wrong name and an unknown number, as the real service gives: it must not tell
        # a guesser which numbers exist.
        return RealnameResult(
            False,
            _("This name and ID number could not be verified. Check both against the ID card."),
            reference,
        )
