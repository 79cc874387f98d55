"""Print how to log in to the demo (``serve`` shows it in its banner when the demo app is installed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from demo.seed.people import logins


class Command(BaseCommand):
    help = "Print the demo's logins (made by seed_demo)."

    def handle(self, *args, **options):
        self.stdout.write(logins(), ending="")
