"""The demo's people: made once, all with the printed password; the operator is staff; the shoppers can buy."""

from __future__ import annotations

import io

import pytest

from accounts.models import User
from demo.seed import people

pytestmark = pytest.mark.django_db


def test_the_demos_people_are_made_once_with_the_printed_password():
    out = io.StringIO()
    people.seed(stdout=out)
    people.seed(stdout=out)

    demo = people.members()
    assert set(demo) == set(people.member_usernames())
    operator = User.objects.get(username=people.OPERATOR[0])
    # One hash for everybody (hashing is deliberately slow), and it is the printed password.
    assert len({u.password for u in [operator, *demo.values()]}) == 1
    assert operator.check_password(people.DEMO_PASSWORD)
    assert not any(u.is_staff for u in demo.values())
    assert operator.is_staff and operator.is_superuser
    for username in people.DEMO_IDS:
        assert demo[username].customs_identities.count() == 1 and demo[username].addresses.count() == 1
    assert "0 new demo people" in out.getvalue().splitlines()[-1]
