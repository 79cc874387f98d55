"""Rebuild every product's search vector (after a change of the segmenter, its dictionary or the
synonyms, or after catalog text was written with ``QuerySet.update``)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from mall.services.search import products_search_index


class Command(BaseCommand):
    help = "Rebuild the full-text search vector of every product."

    def handle(self, *args, **options):
        with transaction.atomic():
            done = products_search_index()
        self.stdout.write(f"{done} products indexed")
