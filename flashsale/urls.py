"""Buyer pages under /flash/ (namespace "flash"); the API lives in flashsale/api.py under /api/flash/."""

from django.urls import path

from flashsale import views

app_name = "flash"

urlpatterns = [
    path("sales/<int:sale_id>/", views.sale_detail, name="sale"),
    path("sales/<int:sale_id>/remind/", views.sale_remind, name="remind"),
    path("sales/<int:sale_id>/buy/", views.sale_buy, name="buy"),
    path("sales/<int:sale_id>/requests/<str:request_id>/", views.buy_status, name="buy_status"),
]
