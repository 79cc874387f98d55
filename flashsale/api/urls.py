"""The flash-sale API's routes, included under /api/ by config/urls.py (the pages are in flashsale/urls.py)."""

from django.urls import path

from flashsale.api import views

urlpatterns = [
    path("flash/sales/", views.SaleListApi.as_view(), name="api-flash-sales"),
    path("flash/sales/phases/", views.SalePhasesApi.as_view(), name="api-flash-phases"),
    path("flash/sales/<int:sale_id>/buy/", views.BuyApi.as_view(), name="api-flash-buy"),
    path("flash/sales/<int:sale_id>/pass/", views.BuyPassApi.as_view(), name="api-flash-pass"),
    path(
        "flash/sales/<int:sale_id>/requests/<str:request_id>/",
        views.RequestStatusApi.as_view(),
        name="api-flash-request",
    ),
    path("flash/ping/", views.TrivialApi.as_view(), name="api-flash-ping"),
]
