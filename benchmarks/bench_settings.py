"""The site's settings (all from the environment, as in production) with the benchmark's URLconf, which
adds the baselines that must never be mounted in the product."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
