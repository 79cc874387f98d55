"""Personal data at rest: real names and ID numbers are encrypted in every table that keeps them, found by a
keyed hash, re-encrypted by a command when keys rotate, and shown in full to operators only with a logged
reason. Written as the attacker who obtained a database dump (a backup, a read replica, a SQL injection
elsewhere): what they can read in it."""

from __future__ import annotations

import os
import subprocess

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from accounts import services
from accounts.models import CustomsIdentity, IdentityView
from accounts.tests.factories import AddressFactory, UserFactory, valid_id_number
from core import crypto
from core.checks import field_keys_check
from flashsale.services import materialize
from flashsale.tests.helpers import buy, live_sale
from mall.models import Order, Payment, PaymentEvent
from mall.services.payments import payment_create
from mall.services.pricing import quota_used
from tests.support.orders import place_order
from tests.support.webhooks import deliver, event_for

NAME = "欧阳娜娜"  # nowhere else in the site: not a nickname, not a recipient


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test's own names
        return cursor.fetchone()[0]


def shopper(serial: int):
    user = UserFactory()
    address = AddressFactory(user=user, is_default=True, recipient="收件人")
    identity = services.identity_add(user=user, real_name=NAME, id_number=valid_id_number(serial))
    return user, address, identity


def pg_dump() -> str:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = [
        "pg_dump",
        "--data-only",
        "-h",
        db.get("HOST") or "127.0.0.1",
        "-p",
        str(db.get("PORT") or 5432),
    ]
    command += ["-U", db.get("USER") or "postgres", db["NAME"]]
    return subprocess.run(command, env=env, capture_output=True, check=True, text=True).stdout


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_shows_no_real_name_and_no_id_number():
    # A seeded shop: an identity, an order paid through the gateway's webhook, a flash-sale order.
    user, address, identity = shopper(serial=41)
    order = place_order(shopper=(user, address, identity))
    payment = payment_create(order=order, user=user)
    assert deliver(event_for(payment)).status == 200
    sale = live_sale(quota=3, is_cross_border=True)
    assert buy(sale, user).status == "admitted"
    materialize.sale_drain(sale_id=sale.pk)
    number = identity.id_number

    dump = pg_dump()

    assert Order.objects.filter(user=user).count() == 2
    assert number not in dump and number[:17] not in dump
    assert NAME not in dump
    assert "欧***" in dump and identity.id_number_hash in dump  # it is this shop's dump: its masks and hashes
    # What the site shows is unchanged: the masks, and the full values to the code that needs them.
    payment.refresh_from_db()
    assert (payment.state, payment.payer_name, payment.payer_id_number) == ("succeeded", NAME, number)
    assert PaymentEvent.objects.get(payment=payment).payload["payer_name"] == "欧***"
    flash = Order.objects.exclude(pk=order.pk).get(user=user)
    assert (flash.buyer_name, flash.buyer_id_number, flash.masked_id_number) == (
        NAME, number, number[0] + "*" * 16 + number[-1],
    )  # fmt: skip
    assert quota_used(id_number=number) == order.total + flash.total


@pytest.mark.django_db
def test_columns_hold_only_ciphertext_and_lookups_go_through_the_hash():
    user, address, identity = shopper(serial=42)
    order = place_order(shopper=(user, address, identity))

    for table, column, pk in [
        ("accounts_customsidentity", "real_name", identity.pk),
        ("accounts_customsidentity", "id_number", identity.pk),
        ("mall_order", "buyer_name", order.pk),
        ("mall_order", "buyer_id_number", order.pk),
    ]:
        assert raw(table, column, pk).startswith(crypto.PREFIX)
    assert (
        raw("mall_order", "buyer_id_hash", order.pk)
        == identity.id_number_hash
        == crypto.keyed_hash(identity.id_number)
    )
    with pytest.raises(FieldError):
        list(CustomsIdentity.objects.filter(id_number=identity.id_number))
    with pytest.raises(FieldError):
        list(Order.objects.filter(buyer_name__startswith="欧"))


@pytest.mark.django_db
def test_an_altered_ciphertext_does_not_decrypt():
    _user, _address, identity = shopper(serial=43)
    stored = raw("accounts_customsidentity", "id_number", identity.pk)
    tampered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    CustomsIdentity.objects.filter(pk=identity.pk).update(id_number_hash="x")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_customsidentity SET id_number = %s WHERE id = %s", [tampered, identity.pk]
        )

    with pytest.raises(ValueError, match="does not decrypt"):
        CustomsIdentity.objects.get(pk=identity.pk)


@pytest.mark.django_db
def test_keys_rotate_and_the_command_moves_every_row_to_the_newest(settings):
    user, address, identity = shopper(serial=44)
    order = place_order(shopper=(user, address, identity))
    Payment.objects.create(order=order, provider="sandbox", reference="rot-1", amount=order.total,
                           payer_name=NAME, payer_id_number=identity.id_number)  # fmt: skip
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    before = raw("mall_order", "buyer_id_number", order.pk)
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    assert Order.objects.get(pk=order.pk).buyer_id_number == identity.id_number  # old rows still read
    settings.FIELD_HASH_KEY = "a-new-hash-key-" + "x" * 32

    call_command("reencrypt_fields", stdout=open(os.devnull, "w"))  # noqa: SIM115

    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key is gone now
    after = raw("mall_order", "buyer_id_number", order.pk)
    assert after != before and crypto.is_current(after)
    assert Order.objects.get(pk=order.pk).buyer_id_number == identity.id_number
    assert Payment.objects.get(reference="rot-1").payer_name == NAME
    assert CustomsIdentity.objects.get(pk=identity.pk).real_name == NAME
    # The hashes follow the new hash key: the quota and uniqueness still find the number.
    assert quota_used(id_number=identity.id_number) == order.total
    with pytest.raises(services.IdentityClaimed):
        services.identity_add(user=UserFactory(), real_name=NAME, id_number=identity.id_number)


@pytest.mark.django_db
def test_the_migration_routine_encrypts_rows_left_in_clear_and_can_undo_it():
    _user, _address, identity = shopper(serial=45)
    with connection.cursor() as cursor:  # as before the migration: clear values, no hash
        cursor.execute(
            "UPDATE accounts_customsidentity SET real_name = %s, id_number = %s, id_number_hash = '' WHERE id = %s",
            [NAME, identity.id_number, identity.pk],
        )

    changed = crypto.table_reencrypt(
        connection, table="accounts_customsidentity", columns=["real_name", "id_number"],
        hashes={"id_number_hash": "id_number"},
    )  # fmt: skip

    assert changed == 1
    assert raw("accounts_customsidentity", "real_name", identity.pk).startswith(crypto.PREFIX)
    assert CustomsIdentity.objects.get(pk=identity.pk).id_number_hash == identity.id_number_hash
    crypto.table_reencrypt(
        connection, table="accounts_customsidentity", columns=["real_name", "id_number"], clear=True
    )
    assert raw("accounts_customsidentity", "real_name", identity.pk) == NAME


def test_production_without_keys_fails_the_deploy_check(settings):
    settings.DEBUG = settings.TESTING = False
    settings.FIELD_ENCRYPTION_KEYS = []
    settings.FIELD_HASH_KEY = ""

    assert [e.id for e in field_keys_check()] == ["core.E002", "core.E002"]
    with pytest.raises(Exception, match="FIELD_ENCRYPTION_KEYS"):
        crypto.encrypt("张三")


@pytest.mark.django_db
def test_an_operator_sees_a_full_identity_only_with_the_permission_and_a_logged_reason(client):
    _user, _address, identity = shopper(serial=46)
    url = reverse("admin:accounts_customsidentity_changelist")
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_customsidentity"))
    client.force_login(staff)
    listing = client.get(url).content.decode()
    assert identity.masked_number in listing and identity.id_number not in listing and NAME not in listing
    refused = client.post(url, {"action": "reveal", "_selected_action": [identity.pk]}, follow=True)
    assert identity.id_number not in refused.content.decode() and not IdentityView.objects.exists()

    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    asked = client.post(url, {"action": "reveal", "_selected_action": [identity.pk]})
    assert asked.status_code == 200 and identity.id_number not in asked.content.decode()
    shown = client.post(
        url,
        {"action": "reveal", "_selected_action": [identity.pk], "apply": "1", "reason": "customs query 77"},
    )

    page = shown.content.decode()
    assert identity.id_number in page and NAME in page
    (view,) = IdentityView.objects.all()
    assert (view.operator, view.subject, view.reason) == (
        operator, f"accounts.customsidentity:{identity.pk}", "customs query 77",
    )  # fmt: skip
