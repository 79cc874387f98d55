"""The site's URLs plus the benchmark's baselines (benchmarks/bench_settings.py points ROOT_URLCONF here)."""

from benchmarks import saleor_style
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [*saleor_style.urlpatterns, *site_urlpatterns]
