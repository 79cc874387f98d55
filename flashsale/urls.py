"""Buyer pages under /flash/ (namespace "flash"); the API lives in flashsale/api/urls.py under /api/flash/."""

from django.urls import path

from flashsale.views import buying, sales

app_name = "flash"

urlpatterns = [
    path("sales/<int:sale_id>/", sales.sale_detail, name="sale"),
    path("sales/<int:sale_id>/remind/", sales.sale_remind, name="remind"),
    path("sales/<int:sale_id>/buy/", buying.sale_buy, name="buy"),
    path("sales/<int:sale_id>/requests/<str:request_id>/", buying.buy_status, name="buy_status"),
]
