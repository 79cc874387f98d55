"""Make the demo's data (``make run`` and ``make seed`` run it). Idempotent: running it again adds nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.seed import seed_all
from demo.seed.people import logins


class Command(BaseCommand):
    help = "Create the demo's people, notes, mall, orders and flash sales (idempotent; touches nothing else)."

    def handle(self, *args, **options):
        seed_all(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready.") + "\n" + logins())
