"""Re-encode product photos and brand logos stored before uploads were re-encoded (they kept EXIF and GPS,
bytes after the image and the original file name): ``python manage.py catalog_images_reencode``."""

from django.core.management.base import BaseCommand

from mall.services.catalog import catalog_images_reencode


class Command(BaseCommand):
    help = "Re-encode stored product photos and brand logos that are not clean WebP (strips EXIF and GPS)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would change, change nothing")

    def handle(self, *args, dry_run=False, **options):
        report = catalog_images_reencode(dry_run=dry_run)
        verb = "would re-encode" if dry_run else "re-encoded"
        self.stdout.write(
            f"{verb} {report.reencoded}, already clean {report.clean}, refused {len(report.refused)}"
        )
        for line in report.refused:
            self.stdout.write(f"  refused (left as stored): {line}")
