"""Load the page benchmark's dataset (demo/benchdata.py): ``manage.py bench_data --scale small|large``."""

import json

from django.core.management.base import BaseCommand

from demo import benchdata


class Command(BaseCommand):
    help = "Load the page benchmark's dataset (small: ~1k notes; large: 200k notes, 2M likes) with COPY."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(benchdata.SCALES), default="small")
        parser.add_argument("--reset", action="store_true", help="flush every table first")
        parser.add_argument("--seed", type=int, default=benchdata.SEED)

    def handle(self, *args, scale: str, reset: bool, seed: int, **options):
        result = benchdata.generate(scale_name=scale, reset=reset, seed=seed)
        self.stdout.write(json.dumps(result, ensure_ascii=False))
