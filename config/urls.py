from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views
from mall import urls as mall_urls
from mall.api import urls as mall_api_urls
from recs.views import feed as recs_feed

api_patterns = [
    path("", include("accounts.api.urls")),
    path("", include("community.api.urls")),
    path("", include("recs.api.urls")),
    path("", include("flashsale.api.urls")),
    path("payments/", include(mall_api_urls.payment_urlpatterns)),
    path("mall/", include("mall.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

urlpatterns = [
    # The discovery feed is the personal one; with the operators' switch it is the plain hot feed.
    path("", recs_feed.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("", include("community.urls")),
    path("", include("recs.urls")),
    path("admin/", admin.site.urls),
    path("pay/", include(mall_urls.payment_urlpatterns)),
    path("mall/", include("mall.urls")),
    path("flash/", include("flashsale.urls")),
    path("api/", include(api_patterns)),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^" + settings.MEDIA_URL.lstrip("/") + r"(?P<path>.*)$",
            core_views.media,
        )
    ]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
